// Research over MCP with real clients and servers: the bundled docs server over stdio and HTTP, a
// Context7-like legacy server, error texts, a server killed mid-run, and cluster-wide call counts.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RESEARCH_BUDGET, planRequirement, researchTargets, researchTopic, runPipeline } from '@agent-factory/core';
import { connect, createLogger, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import {
  context7Http,
  context7Stdio,
  createResearchSetup,
  docsCallTokens,
  DocsSourceError,
  LocalDocsSource,
  McpDocsSource,
  MIN_DOCS_CALL_TOKENS,
  UNKNOWN_LIBRARY_TEXT,
  USER_DOCS_LIBRARY_ID,
  type CallCounts,
} from '@agent-factory/research';
import { startMcpHttpServer } from '@agent-factory/research/serve';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { researchSetupOptions } from '../apps/worker/src/research-setup.js';
import { workerSettings } from '../apps/worker/src/worker-settings.js';
import { legacyContext7Server } from './fixtures/context7-legacy.js';
import { CLI, testEnv } from './helpers/cli.js';
import { spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { freePort, startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const fixture = (path: string): string => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const USER_DOCS = fixture('user-docs');
const local = new LocalDocsSource({ extraDirs: [USER_DOCS] });

/** `agent-factory docs-server` over stdio, spawned by the SDK's transport; stderr kept for the count line. */
function stdioDocsServer(args: string[] = []): { source: McpDocsSource; transports: StdioClientTransport[]; stderr: () => string } {
  const transports: StdioClientTransport[] = [];
  let stderr = '';
  const source = new McpDocsSource({
    name: 'docs-stdio',
    reconnectDelayMs: 1500,
    transport: () => {
      const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'docs-server', ...args], stderr: 'pipe' });
      transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      transports.push(transport);
      return transport;
    },
  });
  return { source, transports, stderr: () => stderr };
}

interface HttpDocsServer {
  url: string;
  child: ChildProcess;
  calls(): Promise<CallCounts>;
  stop(): Promise<void>;
}

/** `agent-factory docs-server --http --port <free>` as a child process. */
async function httpDocsServer(): Promise<HttpDocsServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'docs-server', '--http', '--port', String(port)], { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const found = /docs server at (\S+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`docs-server exited ${code}`)));
  });
  return {
    url,
    child,
    calls: async () => (await (await fetch(new URL('/_calls', url))).json()) as CallCounts,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Mean milliseconds per call of `n` distinct queries (no answer is memoized on either side). */
async function perCall(source: McpDocsSource, n = 30): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await source.queryDocs('/facebook/react', `latency probe ${i}`);
  return (performance.now() - started) / n;
}

const latency: Record<string, number> = {};
afterAll(() => {
  process.stdout.write(`docs call latency (ms per query-docs): ${JSON.stringify(Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, Number(v.toFixed(2))])))}\n`);
});

describe('the bundled docs server over stdio', () => {
  it("answers Context7's current tools in its text formats, the same text as the knowledge base, and counts the calls", async () => {
    const { source, stderr } = stdioDocsServer(['--docs', USER_DOCS]);
    try {
      expect(await source.api()).toBe('current');
      expect(await source.queryDocs('/facebook/react', 'testing')).toBe(await local.queryDocs('/facebook/react', 'testing'));
      expect((await source.resolveLibrary('Next.js', 'routing'))[0]).toMatchObject({ libraryId: '/vercel/next.js', title: 'Next.js' });
      expect(await source.queryDocs('/nobody/nothing', 'testing')).toBe(UNKNOWN_LIBRARY_TEXT);
      expect(await source.queryDocs(USER_DOCS_LIBRARY_ID, 'database migrations')).toBe(await local.queryDocs(USER_DOCS_LIBRARY_ID, 'database migrations'));
      latency['stdio'] = await perCall(source);
    } finally {
      await source.close();
    }
    // The server logs its counts when the client goes away.
    const line = stderr().split('\n').find((l) => l.includes('docs-server calls'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ transport: 'stdio', total: 34, distinct: 34, byTool: { 'query-docs': 33, 'resolve-library-id': 1 }, duplicates: [] });
  });
});

describe('the bundled docs server over Streamable HTTP', () => {
  let server: HttpDocsServer;
  beforeAll(async () => {
    server = await httpDocsServer();
  });
  afterAll(() => server?.stop());

  it('serves Context7 clients (Bearer key, stateless) and counts calls per (tool, library, query)', async () => {
    const source = context7Http({ url: server.url, apiKey: 'test' });
    try {
      expect(await source.api()).toBe('current');
      expect(await source.queryDocs('/vercel/next.js', 'security')).toBe(await local.queryDocs('/vercel/next.js', 'security'));
      await source.queryDocs('/vercel/next.js', 'security');
      expect((await source.resolveLibrary('postgres', 'indexes')).map((m) => m.libraryId)).toContain('/postgres/postgres');
      latency['http'] = await perCall(source);
    } finally {
      await source.close();
    }
    const calls = await server.calls();
    expect(calls.byTool).toEqual({ 'query-docs': 32, 'resolve-library-id': 1 });
    expect(calls.duplicates).toEqual([{ tool: 'query-docs', library: '/vercel/next.js', query: 'security', calls: 2 }]);
  });

  it('goes through real MCP in-process for AF_RESEARCH=local', async () => {
    const { docs } = createResearchSetup({ research: 'local' });
    const source = docs as McpDocsSource;
    try {
      expect(source).toBeInstanceOf(McpDocsSource);
      expect(await source.api()).toBe('current');
      expect(await source.queryDocs('/redis/redis', 'caching')).toBe(await local.queryDocs('/redis/redis', 'caching'));
      latency['in-memory'] = await perCall(source);
    } finally {
      await source.close();
    }
    expect(createResearchSetup({ context7ApiKey: 'k' }).docs?.name).toBe('context7');
    // Constructed only: npx cannot fetch @upstash/context7-mcp here.
    expect(createResearchSetup({ research: 'context7-stdio', context7ApiKey: 'k' }).docs).toBeInstanceOf(McpDocsSource);
    expect(context7Stdio({ apiKey: 'k' }).name).toBe('context7');
  });
});

describe('a Context7-like server', () => {
  const legacy = (timeoutMs = 10_000): McpDocsSource =>
    new McpDocsSource({
      name: 'context7',
      timeoutMs,
      transport: () => new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', fixture('context7-legacy-server.ts')], stderr: 'inherit' }),
    });

  it('with only the legacy get-library-docs: detected by listTools, the query sent as its topic', async () => {
    const source = legacy();
    try {
      expect(await source.api()).toBe('legacy');
      const text = await source.queryDocs('/pallets/flask', 'testing');
      expect(text).toMatch(/^TITLE: \/pallets\/flask on testing\nDESCRIPTION: Always validate input at the boundary\. Asked for (\d+) tokens/);
      // By default, as much as the default research budget keeps.
      expect(text).toContain(`Asked for ${docsCallTokens(DEFAULT_RESEARCH_BUDGET)} tokens`);
      expect(await source.queryDocs('/no/such', 'testing')).toBe(UNKNOWN_LIBRARY_TEXT);
      // No resolve tool on this server: an id resolves to itself.
      expect(await source.resolveLibrary('/pallets/flask', 'x')).toEqual([{ libraryId: '/pallets/flask', title: '/pallets/flask' }]);
    } finally {
      await source.close();
    }
  });

  it("is asked for the worker's research budget (AF_RESEARCH_BUDGET) in tokens, never less than the minimum", async () => {
    const server = await startMcpHttpServer({ createServer: legacyContext7Server });
    const asked = async (env: NodeJS.ProcessEnv): Promise<number> => {
      const settings = workerSettings({ AF_RESEARCH: 'context7', CONTEXT7_URL: server.url, CONTEXT7_API_KEY: 'k', ...env });
      const { docs } = createResearchSetup(researchSetupOptions(settings));
      try {
        return Number(/Asked for (\d+) tokens/.exec((await docs?.queryDocs('/pallets/flask', 'testing')) ?? '')?.[1]);
      } finally {
        await docs?.close?.();
      }
    };
    try {
      expect(await asked({ AF_RESEARCH_BUDGET: '3000' })).toBe(3000);
      expect(await asked({ AF_RESEARCH_BUDGET: '1200' })).toBe(Math.max(1200, MIN_DOCS_CALL_TOKENS));
      expect(await asked({ AF_RESEARCH_BUDGET: '100' })).toBe(MIN_DOCS_CALL_TOKENS);
      expect(await asked({})).toBe(docsCallTokens(DEFAULT_RESEARCH_BUDGET));
    } finally {
      await server.close();
    }
  });

  it('classifies its plain-text errors: rate limited transient, invalid key permanent (and not asked again), isError and timeouts transient', async () => {
    const source = legacy();
    // Calls bounded at 1 s, past which only the fixture's 3 s /slow/lib runs; connecting keeps its own 30 s.
    const impatient = legacy(1000);
    const failure = (id: string, from = source): Promise<DocsSourceError> =>
      from.queryDocs(id, 'testing').then(
        () => {
          throw new Error(`${id} answered`);
        },
        (e: unknown) => e as DocsSourceError,
      );
    try {
      expect(await source.api()).toBe('legacy');
      expect(await failure('/limit/ed')).toMatchObject({ name: 'DocsSourceError', kind: 'rate_limit', transient: true, permanent: false, message: expect.stringMatching(/^Rate limited or quota exceeded/) });
      expect(await failure('/server/down')).toMatchObject({ kind: 'server', transient: true });
      expect(await failure('/tool/error')).toMatchObject({ kind: 'server', transient: true, message: 'Internal error while fetching docs' });
      expect(await impatient.api()).toBe('legacy');
      expect(await failure('/slow/lib', impatient)).toMatchObject({ kind: 'timeout', transient: true });
      expect(await source.queryDocs('/ok/lib', 'testing')).toMatch(/^TITLE/);
      const refused = await failure('/bad/key');
      expect(refused).toMatchObject({ kind: 'auth', permanent: true, transient: false, message: expect.stringMatching(/^Invalid API key/) });
      // A rejected key is not tried again: the next call fails at once, with the same error.
      const started = performance.now();
      expect(await failure('/ok/lib')).toBe(refused);
      expect(performance.now() - started).toBeLessThan(50);
    } finally {
      await Promise.all([source.close(), impatient.close()]);
    }
  });
});

describe('degradation', () => {
  const requirement = (lib: string, i: number): string => `Review the ${lib} code of team ${i} for common mistakes`;
  const LIBS = ['React', 'Django', 'Kafka', 'Terraform', 'Vue', 'Flask', 'Redis', 'Docker', 'Angular', 'MongoDB'];

  it('the docs server killed mid-run: research degraded, every requirement still completes, and the source reconnects', async () => {
    const { source, transports } = stdioDocsServer();
    const run = (i: number) => runPipeline({ requirement: requirement(LIBS[i % LIBS.length]!, i) }, { docs: source });
    try {
      const before = await Promise.all([0, 1, 2, 3].map(run));
      const pid = transports[0]?.pid;
      expect(pid).toBeTypeOf('number');
      process.kill(pid!, 'SIGKILL');
      while (isAlive(pid!)) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      const during = await Promise.all([4, 5, 6, 7].map(run));
      await new Promise((r) => setTimeout(r, 1600));
      const after = await Promise.all([8, 9].map(run));
      for (const r of [...before, ...during, ...after]) expect(r.report.passed).toBe(true);
      for (const r of [...before, ...after]) expect(r.degraded).toEqual([]);
      for (const r of during) {
        expect(r.research.libraries).toEqual([]);
        expect(r.degraded).toEqual([expect.stringMatching(/^research for \/\S+ failed: /)]);
      }
      expect(transports).toHaveLength(2);
    } finally {
      await source.close();
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cluster-wide: 300 requirements over 20 libraries on 2 worker processes', () => {
  const LIBS = ['React', 'Next.js', 'Vue', 'Angular', 'Svelte', 'Django', 'Flask', 'FastAPI', 'NestJS', 'Spring Boot', 'PostgreSQL', 'MongoDB', 'Redis', 'Kafka', 'Kubernetes', 'Docker', 'Terraform', 'GraphQL', 'Playwright', 'pytest'];
  const TASKS = [
    'Review the {lib} code of team {n} for common mistakes',
    'Write tests for the {lib} service of team {n}',
    'Deploy the {lib} app of team {n} to production',
    'Debug failing {lib} jobs reported by team {n}',
    'Secure the {lib} setup of team {n} against injection',
  ];
  const requirements = Array.from({ length: 300 }, (_, i) => TASKS[Math.floor(i / 20) % TASKS.length]!.replace('{lib}', LIBS[i % LIBS.length]!).replace('{n}', String(i)));
  let redis: TestRedis;
  let server: HttpDocsServer;
  let conn: FactoryConnection;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedis({ appendonly: false }), httpDocsServer()]);
    const prefix = testPrefix();
    const env = { REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'context7', CONTEXT7_URL: server.url, CONTEXT7_API_KEY: 'test' };
    workers.push(...(await Promise.all([spawnWorker(env), spawnWorker(env)])));
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await conn?.close();
    await server?.stop();
    await redis?.stop();
  });

  it('calls the docs server exactly once per distinct (library, topic) pair, counted by the server', async () => {
    const expected = new Set<string>();
    const libraries = new Set<string>();
    for (const requirement of requirements) {
      const { analysis } = planRequirement({ requirement });
      for (const t of researchTargets(analysis)) {
        expected.add(JSON.stringify([t.libraryId, researchTopic(analysis)]));
        libraries.add(t.libraryId);
      }
    }
    expect(libraries.size).toBe(20);
    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `m${i}`, requirement })));
    const done = await waitForBatch(conn, batch.id, 40_000);
    expect(done).toMatchObject({ state: 'completed', counts: { completed: 300, failed: 0, pending: 0 } });
    const calls = await server.calls();
    expect(calls.duplicates).toEqual([]);
    expect(calls.byTool).toEqual({ 'query-docs': expected.size });
    expect(new Set(calls.calls.map((c) => JSON.stringify([c.library, c.query])))).toEqual(expected);
    process.stdout.write(`300 requirements, 20 libraries: ${calls.total} docs calls for ${expected.size} distinct pairs (naive: ${requirements.length} calls)\n`);
  }, 45_000);
});
