import { untilStopSignal } from '../stop-signal.js';
import { existsSync } from 'node:fs';
import { LocalDocsSource, type CallCounter } from '@agent-factory/research';
import { serveDocsStdio, startDocsHttpServer } from '@agent-factory/research/serve';
import type { Command } from 'commander';
import { portFlag } from '../port-flag.js';
import { UsageError } from '../usage-error.js';

interface DocsServerFlags {
  http?: boolean;
  port: string;
  host: string;
  docs?: string;
}

/** The call counts as one JSON line on stderr (stdout is the protocol's over stdio). */
function logCalls(counter: CallCounter, transport: string): void {
  process.stderr.write(`${JSON.stringify({ msg: 'docs-server calls', transport, ...counter.summary() })}\n`);
}

/** `agent-factory docs-server`: the bundled docs as an MCP server with Context7's tools (stdio or Streamable HTTP). */
export function registerDocsServer(program: Command): void {
  program
    .command('docs-server')
    .description("Serve the bundled docs (and --docs DIR) over MCP with Context7's tools: resolve-library-id, query-docs.")
    .option('--http', 'serve Streamable HTTP (stateless) at /mcp instead of stdio; GET /_calls returns the call counts')
    .option('--port <port>', 'HTTP port (0 picks a free one)', '3100')
    .option('--host <host>', 'HTTP address to bind', '127.0.0.1')
    .option('--docs <dir>', "your own Markdown, served as /local/docs (AF_DOCS_DIR)")
    .action(async (flags: DocsServerFlags) => {
      const docsDir = flags.docs ?? (process.env['AF_DOCS_DIR'] || undefined);
      if (docsDir !== undefined && !existsSync(docsDir)) throw new UsageError(`docs folder ${docsDir} does not exist`);
      const port = portFlag(flags.port);
      const source = new LocalDocsSource({ extraDirs: docsDir ? [docsDir] : [] });
      if (!flags.http) {
        const server = await serveDocsStdio({ source });
        await Promise.race([server.closed, untilStopSignal()]);
        await server.close();
        logCalls(server.counter, 'stdio');
        return;
      }
      const server = await startDocsHttpServer({ source, port, host: flags.host });
      // Scripts and tests read the URL from this line.
      process.stdout.write(`docs server at ${server.url}\n`);
      await untilStopSignal();
      logCalls(server.counter, 'http');
      await server.close();
    });
}
