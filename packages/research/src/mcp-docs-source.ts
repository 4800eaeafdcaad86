import { DEFAULT_RESEARCH_BUDGET, type DocsSource, type LibraryMatch } from '@agent-factory/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { parseLibrarySearch, UNKNOWN_LIBRARY_TEXT } from './context7-format.js';
import { classifyAnswer, classifyCallError, DocsSourceError, type AnswerVerdict } from './docs-errors.js';
import { LEGACY_QUERY_TOOL, QUERY_TOOL, RESOLVE_TOOL } from './docs-tools.js';
import { Semaphore } from './semaphore.js';

/** Which tools the server has: Context7 ≥ 2.0 (`query-docs`) or before (`get-library-docs`). */
export type McpDocsApi = 'current' | 'legacy';

export interface McpDocsSourceOptions {
  /** For degraded reasons and logs: "context7", "local"… */
  name: string;
  /** Makes a transport for a new connection; called again to reconnect after the server went away. */
  transport: () => Transport | Promise<Transport>;
  /** Bound of each tool call (default 15 s). */
  timeoutMs?: number;
  /** Bound of connecting and listing the tools (default: timeoutMs, at least 30 s, as a stdio server may first be fetched by npx). */
  connectTimeoutMs?: number;
  /** After a failed or lost connection, calls fail fast this long before the next attempt (default 1 s). */
  reconnectDelayMs?: number;
  /** Tokens asked of the legacy tool, which takes a size (default docsCallTokens of the default research budget). */
  legacyTokens?: number;
  /** Tool calls in flight at once; the others wait their turn, their timeout not yet running (default: no bound). */
  maxCallsInFlight?: number;
  /** Runs after the client closed: e.g. stops an in-process server. */
  onClose?: () => Promise<void>;
}

interface Session {
  client: Client;
  api: McpDocsApi;
  /** Whether the resolve tool takes Context7 2.0's `query` (older servers: only `libraryName`). */
  resolveTakesQuery: boolean;
  hasResolve: boolean;
}

/**
 * The least a docs call asks for where the tool takes a size: a smaller answer rarely holds enough to
 * rank notes from (Context7 raises small sizes to its own minimum anyway).
 */
export const MIN_DOCS_CALL_TOKENS = 1000;

/**
 * Tokens one docs call asks for under a research budget: no more than research keeps of it, since the
 * answers of a requirement's libraries are compressed together into that budget.
 */
export const docsCallTokens = (budgetTokens: number): number => Math.max(MIN_DOCS_CALL_TOKENS, Math.ceil(budgetTokens));

const textOf = (content: unknown): string =>
  Array.isArray(content)
    ? content
        .filter((c): c is { type: 'text'; text: string } => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'text')
        .map((c) => c.text)
        .join('\n\n')
    : '';

/**
 * A DocsSource over any MCP server that speaks Context7's tools: Context7 itself (HTTP or stdio), or
 * the project's own docs server. Connects on first use, picks the current or legacy tools from
 * listTools, and turns Context7's plain-text errors into DocsSourceErrors (transient or permanent).
 */
export class McpDocsSource implements DocsSource {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private readonly legacyTokens: number;
  private readonly slots: Semaphore;
  private session: Promise<Session> | undefined;
  /** No connection attempt before this time (a server that just failed is not hammered). */
  private retryAt = 0;
  /** A rejected key stays rejected: later calls fail at once instead of asking again. */
  private refused: DocsSourceError | undefined;
  private closed = false;

  constructor(private readonly options: McpDocsSourceOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.max(this.timeoutMs, 30_000);
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1000;
    this.legacyTokens = options.legacyTokens ?? docsCallTokens(DEFAULT_RESEARCH_BUDGET);
    this.slots = new Semaphore(options.maxCallsInFlight ?? Number.POSITIVE_INFINITY);
  }

  /** The tools in use, once connected. */
  async api(): Promise<McpDocsApi> {
    return (await this.connect()).api;
  }

  async resolveLibrary(libraryName: string, query: string): Promise<LibraryMatch[]> {
    const session = await this.connect();
    // An old server without the resolve tool: the name itself may be an id.
    if (!session.hasResolve) return libraryName.startsWith('/') ? [{ libraryId: libraryName, title: libraryName }] : [];
    const args = session.resolveTakesQuery ? { libraryName, query } : { libraryName };
    const verdict = this.read(...(await this.call(session, RESOLVE_TOOL, args)));
    return verdict.kind === 'docs' ? parseLibrarySearch(verdict.text) : [];
  }

  async queryDocs(libraryId: string, query: string): Promise<string> {
    const session = await this.connect();
    const [text, isError] =
      session.api === 'current'
        ? await this.call(session, QUERY_TOOL, { libraryId, query })
        : await this.call(session, LEGACY_QUERY_TOOL, { context7CompatibleLibraryID: libraryId, topic: query, tokens: this.legacyTokens });
    const verdict = this.read(text, isError);
    // One wording for "nothing for this library", the one research knows to treat as a gap.
    return verdict.kind === 'no-docs' ? UNKNOWN_LIBRARY_TEXT : verdict.text;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.client.close().catch(() => undefined);
    await this.options.onClose?.();
  }

  /** One tool call, bounded here where it leaves for the server: connecting, and what a cache answers, never wait for a slot. */
  private call(session: Session, name: string, args: Record<string, unknown>): Promise<[string, boolean]> {
    return this.slots.run(async () => {
      // Checked once the slot is ours: a key refused meanwhile fails the queued calls at once.
      if (this.refused) throw this.refused;
      try {
        const result = await session.client.callTool({ name, arguments: args }, undefined, { timeout: this.timeoutMs });
        return [textOf(result.content), result.isError === true];
      } catch (error) {
        throw this.noteFailure(classifyCallError(error));
      }
    });
  }

  /** An answer's verdict; an error text (a refused key too) throws like a failed call. */
  private read(text: string, isError: boolean): AnswerVerdict {
    try {
      return classifyAnswer(text, isError);
    } catch (error) {
      throw this.noteFailure(classifyCallError(error));
    }
  }

  /** Remembers a refused key; returns the error to throw. */
  private noteFailure(error: DocsSourceError): DocsSourceError {
    if (error.kind === 'auth') this.refused = error;
    return error;
  }

  private connect(): Promise<Session> {
    if (this.closed) return Promise.reject(new DocsSourceError('connection', `${this.name} docs source is closed`));
    if (this.refused) return Promise.reject(this.refused);
    if (this.session) return this.session;
    const wait = this.retryAt - Date.now();
    if (wait > 0) return Promise.reject(new DocsSourceError('connection', `${this.name} docs server unavailable`, { retryAfterMs: wait }));
    const session = this.open().catch((error: unknown) => {
      if (this.session === session) this.lost();
      throw this.noteFailure(classifyCallError(error));
    });
    this.session = session;
    return session;
  }

  /** The connection is gone: the next call after the delay connects again. */
  private lost(): void {
    this.session = undefined;
    this.retryAt = Date.now() + this.reconnectDelayMs;
  }

  private async open(): Promise<Session> {
    // Imported on first connect: processes that research from the bundled docs never load the MCP client.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const client = new Client({ name: 'agent-factory', version: '0.1.0' });
    try {
      await client.connect(await this.options.transport(), { timeout: this.connectTimeoutMs });
      const { tools } = await client.listTools(undefined, { timeout: this.connectTimeoutMs });
      const names = new Set(tools.map((t) => t.name));
      const api: McpDocsApi | undefined = names.has(QUERY_TOOL) ? 'current' : names.has(LEGACY_QUERY_TOOL) ? 'legacy' : undefined;
      if (!api) throw new DocsSourceError('protocol', `${this.name}: the MCP server offers neither ${QUERY_TOOL} nor ${LEGACY_QUERY_TOOL}`);
      const resolve = tools.find((t) => t.name === RESOLVE_TOOL);
      const session: Session = { client, api, hasResolve: resolve !== undefined, resolveTakesQuery: Object.hasOwn(resolve?.inputSchema.properties ?? {}, 'query') };
      // A stdio server that exits, or any transport that closes: reconnect on a later call.
      client.onclose = () => {
        if (!this.closed && this.session !== undefined) void this.session.then((s) => s === session && this.lost(), () => undefined);
      };
      return session;
    } catch (error) {
      // Also stops a spawned server that answered badly.
      await client.close().catch(() => undefined);
      throw error;
    }
  }
}
