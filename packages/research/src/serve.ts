// The MCP server side: the bundled docs as an MCP server (stdio, Streamable HTTP), and any McpServer
// served over either; apart from the index, so processes that only research never load it.
export { CALLS_PATH, startDocsHttpServer, type DocsHttpServerOptions, type RunningDocsHttpServer } from './docs-http-server.js';
export { createDocsMcpServer, DOCS_SERVER_INFO } from './docs-mcp-server.js';
export { serveDocsStdio, type RunningDocsStdioServer } from './docs-stdio-server.js';
export { MCP_PATH, startMcpHttpServer, type HttpRefusal, type McpHttpServerOptions, type RunningMcpHttpServer } from './mcp-http-serve.js';
export { serveStdio, type RunningStdioServer } from './mcp-stdio-serve.js';
