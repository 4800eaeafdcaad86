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
    .option('--host <host>', 'HTTP address to bind (the server has no auth: keep it on loopback)', '127.0.0.1')
    .action(async (flags: McpFlags) => {
      const port = portFlag(flags.port);
      await withFactory({}, async (factory) => {
        const context = { factory, cwd: process.cwd() };
        if (!flags.http) {
          const server = await serveFactoryStdio(context);
          await Promise.race([server.closed, untilStopSignal()]);
          await server.close();
          return;
        }
        const server = await startFactoryHttp(context, { port, host: flags.host });
        // Scripts and tests read the URL from this line.
        process.stdout.write(`agent-factory MCP server at ${server.url}\n`);
        await untilStopSignal();
        await server.close();
      });
    });
}
