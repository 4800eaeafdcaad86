import { GENERATOR_VERSION } from '@agent-factory/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAgentTools, type ToolContext } from './agent-tools.js';
import { registerBatchTools } from './batch-tools.js';

export const FACTORY_SERVER_INFO = { name: 'agent-factory', version: GENERATOR_VERSION } as const;

/** The factory as an MCP server: generate_agent, validate_agent, submit_batch, batch_status, batch_results. */
export function createFactoryMcpServer(context: ToolContext): McpServer {
  const server = new McpServer(FACTORY_SERVER_INFO, {
    instructions:
      'Agent Factory writes Claude Code sub-agents. generate_agent makes one (write: true saves it into .claude/agents); ' +
      'validate_agent checks any agent file; submit_batch, batch_status and batch_results run many on the worker pool (Redis).',
  });
  registerAgentTools(server, context);
  registerBatchTools(server, context);
  return server;
}
