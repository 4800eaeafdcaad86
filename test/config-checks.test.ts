import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerSettings } from '@agent-factory/worker';
import { parseTrustProxy } from '../apps/cli/src/trust-proxy.js';
import { runCli } from './helpers/cli.js';
import { spawnWorker } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

// The CLI runs from dist: `npx tsc -b` (or `npm test`) first.

let redis: TestRedis;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'af-worker-config-'));
});
afterAll(async () => {
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const SIMPLE = `${JSON.stringify({ id: 'fmt', requirement: 'Format Markdown tables in the docs folder.', tier: 'simple' })}\n`;

/** Runs SIMPLE through a worker started with `extra` and returns the agent file it wrote. */
async function agentFileWith(prefix: string, extra: NodeJS.ProcessEnv): Promise<string> {
  const env = { REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'local' };
  const worker = await spawnWorker({ ...env, ...extra });
  try {
    const out = await mkdtemp(join(dir, 'out-'));
    const run = await runCli(['submit', '-', '--out', out], { env: { ...env, LOG_LEVEL: 'error' }, input: SIMPLE });
    expect(run.code, run.stderr).toBe(0);
    const file = (await readdir(out)).find((f) => f.endsWith('.md'));
    return await readFile(join(out, file ?? 'missing.md'), 'utf8');
  } finally {
    await worker.stop();
  }
}

describe('AF_AGENT_MODELS on workers', () => {
  it('is read and checked with the shared parser', () => {
    expect(workerSettings({}).agentModels).toEqual({});
    expect(workerSettings({ AF_AGENT_MODELS: 'complex=opus, simple=sonnet' }).agentModels).toEqual({ simple: 'sonnet', complex: 'opus' });
    expect(() => workerSettings({ AF_AGENT_MODELS: 'simple=gpt' })).toThrow(/^AF_AGENT_MODELS: "simple=gpt" is not tier=model/);
  });

  it('an invalid value: `agent-factory worker` exits 2 naming it, before it connects', async () => {
    const run = await runCli(['worker'], { env: { REDIS_URL: redis.url, AF_PREFIX: testPrefix(), AF_AGENT_MODELS: 'tiny=haiku' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('agent-factory: AF_AGENT_MODELS: "tiny=haiku" is not tier=model (e.g. simple=haiku)\n');
  });

  it('a batch writes the configured model, and an agent cached under another mapping is not reused', async () => {
    const prefix = testPrefix();
    expect(await agentFileWith(prefix, { AF_AGENT_MODELS: 'simple=sonnet' })).toMatch(/^model: sonnet$/m);
    // The same requirement on the same prefix, default mapping: generated again, not the cached sonnet agent.
    expect(await agentFileWith(prefix, {})).toMatch(/^model: haiku$/m);
  }, 60_000);
});

describe('a bad setting: exit 2, one line naming the variable', () => {
  // Each refused before anything connects or listens.
  it.each([
    [['worker'], { AF_CACHE: 'of' }, /^agent-factory: AF_CACHE: must be none, off/],
    [['worker'], { AF_LLM_BATCH_MAX_REQUESTS: '0' }, /^agent-factory: AF_LLM_BATCH_MAX_REQUESTS: Too small: expected number to be >=1\n$/],
    [['worker'], { AF_GENERATION_MODELS: 'foo' }, /^agent-factory: AF_GENERATION_MODELS: "foo" is not tier=model/],
    [['worker'], { AF_GENERATION_TIMEOUT_MS: '0' }, /^agent-factory: AF_GENERATION_TIMEOUT_MS must be a whole number from 1, not "0"\n$/],
    ...(['up', 'start', 'serve'] as const).map((command) => [[command], { AF_PORT: 'abc' }, /^agent-factory: AF_PORT must be a whole number from 0 to 65535, not "abc"\n$/] as const),
    [['up', '--port', 'x'], { AF_PORT: '3000' }, /^agent-factory: --port must be a whole number from 0 to 65535, not "x"\n$/],
    // up and start check what their workers and server would refuse before they start Redis or a child.
    [['up'], { LOG_LEVEL: 'loud' }, /^agent-factory: LOG_LEVEL: "loud" is not a level/],
    [['up'], { AF_TRUST_PROXY: 'maybe' }, /^agent-factory: AF_TRUST_PROXY: "maybe" is not/],
    [['up', '--no-server'], { AF_AGENT_MODELS: 'simple=gpt' }, /^agent-factory: AF_AGENT_MODELS: "simple=gpt" is not tier=model/],
    [['start'], { AF_CACHE: 'of' }, /^agent-factory: AF_CACHE: must be none, off/],
    [['serve'], { AF_TRUST_PROXY: 'maybe' }, /^agent-factory: AF_TRUST_PROXY: "maybe" is not true, false, a hop count such as 1, or addresses and subnets such as loopback, 10\.0\.0\.0\/8\n$/],
    ...(['worker', 'status', 'serve', 'submit', 'up', 'start'] as const).map(
      (command) => [[command], { REDIS_URL: 'redis://u:secret@127.0.0.1:notaport' }, /^agent-factory: REDIS_URL: "redis:\/\/u:\*\*\*@127\.0\.0\.1:notaport" is not a Redis URL: give redis:\/\/\[user:password@\]host:port/] as const,
    ),
    // Whatever AF_RESEARCH says, as doctor and the in-process commands refuse it (a bad URL must not wait for the day research switches to context7).
    ...([{ AF_RESEARCH: 'context7' }, { AF_RESEARCH: 'local' }, {}] as const).map(
      (research) => [['worker'], { ...research, CONTEXT7_URL: 'localhost:8080' }, /^agent-factory: CONTEXT7_URL: "localhost:8080" has the scheme localhost: give http\(s\):\/\/host\[:port\]\[\/path\] of a Context7-compatible MCP server \(default https:\/\/mcp\.context7\.com\/mcp\)\n$/] as const,
    ),
    [['start'], { AF_RESEARCH: 'local', CONTEXT7_URL: 'not a url' }, /^agent-factory: CONTEXT7_URL: "not a url" is not a URL: give http\(s\):\/\/host/],
    [['status'], { REDIS_URL: 'http://127.0.0.1:1' }, /^agent-factory: REDIS_URL: "http:\/\/127\.0\.0\.1:1" has the scheme http: give redis:\/\//],
    ...(['worker', 'status', 'serve', 'submit'] as const).map((command) => [[command], { LOG_LEVEL: 'loud' }, /^agent-factory: LOG_LEVEL: "loud" is not a level \(fatal, error, warn, info, debug, trace, silent\)\n$/] as const),
  ] as const)('%s with %o', async (args, env, message) => {
    const input = args[0] === 'submit' ? SIMPLE : undefined;
    const run = await runCli([...args, ...(input ? ['-'] : [])], { env: { REDIS_URL: redis.url, AF_PREFIX: testPrefix(), ...env }, input });
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.code).toBe(2);
  });
});

describe('AF_TRUST_PROXY', () => {
  it('takes what express takes, and names the entry it cannot', () => {
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8,fd00::/8,192.168.0.0/255.255.0.0')).toBe('loopback,10.0.0.0/8,fd00::/8,192.168.0.0/255.255.0.0');
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0.1/255.0.255.0', '10.0.0.0/8/8']) expect(() => parseTrustProxy(`loopback,${bad}`), bad).toThrow(`"${bad}" is not true, false, a hop count`);
  });
});
