import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallCounter } from './call-counter.js';
import { LocalDocsSource, type LocalDocsSourceOptions } from './local-docs-source.js';
import { McpDocsSource, type McpDocsSourceOptions } from './mcp-docs-source.js';

export const CONTEXT7_URL = 'https://mcp.context7.com/mcp';

// Each transport, and the in-process docs server, is imported when a source first connects: a process
// that only names a source (or researches from the bundled docs) loads no MCP transport or server.

/** Per-source knobs the factories pass through (timeouts, reconnect delay…). */
export type McpSourceTuning = Omit<McpDocsSourceOptions, 'name' | 'transport' | 'onClose'>;

/** Context7's remote server over Streamable HTTP; the key goes as `Authorization: Bearer`. */
export function context7Http(options: { url?: string; apiKey?: string } & McpSourceTuning = {}): McpDocsSource {
  const { url = CONTEXT7_URL, apiKey, ...tuning } = options;
  const endpoint = new URL(url);
  return new McpDocsSource({
    ...tuning,
    name: 'context7',
    transport: async () => {
      const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
      return new StreamableHTTPClientTransport(endpoint, apiKey ? { requestInit: { headers: { Authorization: `Bearer ${apiKey}` } } } : undefined);
    },
  });
}

/** Beyond the SDK's default environment (PATH, HOME…): the proxy settings npx and Context7 honour. */
const PROXY_VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];

/** Context7's npm server (`npx -y @upstash/context7-mcp`) over stdio, the key in CONTEXT7_API_KEY. */
export function context7Stdio(options: { apiKey?: string; command?: string; args?: string[] } & McpSourceTuning = {}): McpDocsSource {
  const { apiKey, command = 'npx', args = ['-y', '@upstash/context7-mcp'], ...tuning } = options;
  return new McpDocsSource({
    ...tuning,
    name: 'context7',
    transport: async () => {
      const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
      const env: Record<string, string> = {};
      for (const name of PROXY_VARS) if (process.env[name]) env[name] = process.env[name];
      if (apiKey) env['CONTEXT7_API_KEY'] = apiKey;
      return new StdioClientTransport({ command, args, env, stderr: 'inherit' });
    },
  });
}

/**
 * The bundled docs server in this process, over the SDK's in-memory transport: research goes
 * through the same MCP calls as with Context7, without a child process or a port.
 */
export function localMcp(options: { docsDirs?: readonly string[]; source?: LocalDocsSource; counter?: CallCounter } & Omit<LocalDocsSourceOptions, 'extraDirs'> & McpSourceTuning = {}): McpDocsSource {
  const { docsDirs = [], source: given, counter = new CallCounter(), knowledgeBase, cacheSize, userDocsLimit, ...tuning } = options;
  // Read once, here: reconnects reuse the knowledge base.
  const source = given ?? new LocalDocsSource({ extraDirs: docsDirs, ...(knowledgeBase ? { knowledgeBase } : {}), ...(cacheSize ? { cacheSize } : {}), ...(userDocsLimit ? { userDocsLimit } : {}) });
  let server: McpServer | undefined;
  return new McpDocsSource({
    ...tuning,
    name: 'local',
    transport: async () => {
      const [{ InMemoryTransport }, { createDocsMcpServer }] = await Promise.all([import('@modelcontextprotocol/sdk/inMemory.js'), import('./docs-mcp-server.js')]);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server?.close();
      server = createDocsMcpServer(source, counter);
      await server.connect(serverSide);
      return clientSide;
    },
    onClose: async () => {
      await server?.close();
    },
  });
}
