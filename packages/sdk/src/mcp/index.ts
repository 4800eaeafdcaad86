// The factory as an MCP server; apart from the library's entry so programs that only generate never load it.
export type { ToolContext } from './agent-tools.js';
export { serveFactoryStdio, startFactoryHttp } from './serve.js';
export { createFactoryMcpServer, FACTORY_SERVER_INFO } from './server.js';
