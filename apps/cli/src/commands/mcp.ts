import { serveFactoryStdio, startFactoryHttp } from '@agent-factory/sdk/mcp';
import type { Command } from 'commander';
import { withFactory } from '../factory.js';
import { untilStopSignal } from '../stop-signal.js';
import { portFlag } from '../port-flag.js';

interface McpFlags {
  http?: boolean;
  port: string;
  host: string;
}

/** `agent-factory mcp`: the factory's tools for Claude Code and other MCP clients (stdio, or Streamable HTTP). */
export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('Serve the factory over MCP (tools generate_agent, validate_agent, submit_batch, batch_status, batch_results, retry_batch); stdio for `claude mcp add`.')
    .option('--http', 'serve Streamable HTTP (stateless) at /mcp instead of stdio')
    .option('--port <port>', 'HTTP port (0 picks a free one)', '3200')
    .option('--host <host>', 'HTTP address to bind (anything but loopback needs AF_API_TOKEN)', '127.0.0.1')
    .addHelpText('after', '\nEnvironment (--http): AF_API_TOKEN, the Bearer token (or basic-auth password) every request must send, as for `serve`.')
    .action(async (flags: McpFlags) => {
      const port = portFlag(flags.port);
      // Only HTTP loads the server's auth (and express with it): stdio, what `claude mcp add` starts, stays light.
      // An empty AF_API_TOKEN means unset, as for `serve`.
      const authorize = flags.http ? (await import('../mcp-http-auth.js')).mcpHttpAuthorizer(flags.host, process.env['AF_API_TOKEN'] || undefined) : undefined;
      await withFactory({}, async (factory) => {
        const context = { factory, cwd: process.cwd() };
        if (!flags.http) {
          const server = await serveFactoryStdio(context);
          await Promise.race([server.closed, untilStopSignal()]);
          await server.close();
          return;
        }
        const server = await startFactoryHttp(context, { port, host: flags.host, authorize });
        // Scripts and tests read the URL from this line.
        process.stdout.write(`agent-factory MCP server at ${server.url}\n`);
        await untilStopSignal();
        await server.close();
      });
    });
}
