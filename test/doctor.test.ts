import { runPipeline } from '@agent-factory/core';
import { DoctorReportSchema, type DoctorCheck, type DoctorReport } from '@agent-factory/queue';
import { Queue, Worker } from 'bullmq';
import { mkdir, rmdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerSettings } from '../apps/worker/src/worker-settings.js';
import { agentsCacheCheck } from '../packages/queue/src/doctor/cache.js';
import { judgeQueue } from '../packages/queue/src/doctor/queues.js';
import { redisSettingsChecks } from '../packages/queue/src/doctor/redis.js';
import { costCheck, gatesCheck, SAMPLE_MAX_MS, SAMPLE_MAX_TOKENS } from '../packages/queue/src/doctor/sample.js';
import { tracesCheck } from '../packages/queue/src/doctor/traces.js';
import { startSimulator, type Simulator } from '../packages/sim/src/index.js';
import { runCli, type CliRun } from './helpers/cli.js';
import { freePort, startRedis, testPrefix, type TestRedis } from './helpers/redis.js';
import { startRedisCluster } from './helpers/redis-cluster.js';

// The CLI runs from dist: `npx tsc -b` (or `npm test`) first.

let good: TestRedis;
let lru: TestRedis;
let sim: Simulator;

beforeAll(async () => {
  [good, lru, sim] = await Promise.all([
    startRedis(),
    startRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] }),
    // Requirements with the marker get an answer whose agent file lacks its frontmatter fence.
    startSimulator({ apiKey: 'sk-valid', faults: { rules: [{ match: 'DOCTOR-BROKEN', then: 'malformed' }] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([good?.stop(), lru?.stop(), sim?.close()]);
});

/** A deployment in offline mode with the bundled docs, on a test Redis under a fresh prefix. */
function envFor(redis: TestRedis, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { REDIS_URL: redis.url, AF_PREFIX: testPrefix(), AF_PROVIDER: 'offline', AF_RESEARCH: 'local', LOG_LEVEL: 'info', ...extra };
}

/** The line of one check in the text output. */
function line(run: CliRun, name: string): string {
  const found = run.stdout.split('\n').find((l) => new RegExp(`^(PASS|WARN|FAIL)  ${name} `).test(l));
  if (!found) throw new Error(`no "${name}" line in:\n${run.stdout}${run.stderr}`);
  return found;
}

describe('doctor: Redis', () => {
  it('fails on maxmemory-policy allkeys-lru and names the fix', async () => {
    const run = await runCli(['doctor'], { env: envFor(lru) });
    expect(run.code).toBe(1);
    // The fix is aimed at that Redis, not at redis-cli's default of 127.0.0.1:6379.
    const { port } = new URL(lru.url);
    expect(line(run, 'redis maxmemory-policy')).toMatch(new RegExp(`^FAIL  redis maxmemory-policy +allkeys-lru: .*fix: redis-cli -h 127\\.0\\.0\\.1 -p ${port} config set maxmemory-policy noeviction`));
    expect(run.stdout).toMatch(/\n22 checks: \d+ passed, \d+ warned, 1 failed\n$/);
  });

  it('passes on a good Redis in offline mode with local research (warnings do not fail)', async () => {
    const run = await runCli(['doctor'], { env: envFor(good) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(line(run, 'redis reachable')).toMatch(/^PASS/);
    expect(line(run, 'redis version')).toMatch(/^PASS  redis version +\d+\.\d+/);
    expect(line(run, 'redis maxmemory-policy')).toMatch(/^PASS .* noeviction$/);
    expect(line(run, 'redis persistence')).toMatch(/^PASS .* AOF$/);
    expect(line(run, 'redis memory')).toMatch(/^PASS  redis memory +\d+\.\d MB, no maxmemory$/);
    for (const stage of ['analyze', 'research', 'generate', 'validate']) expect(line(run, `queue ${stage}`)).toMatch(/^PASS .*waiting 0, active 0, delayed 0, failed 0, stalled 0; 0 workers$/);
    expect(line(run, 'provider')).toContain('offline mode (no ANTHROPIC_API_KEY)');
    expect(line(run, 'research source')).toMatch(/^PASS  research source +local: "react" resolved to \S+, [\d,]+ characters/);
    expect(line(run, 'research settings')).toMatch(
      /^PASS  research settings +research cache: TTL 7d, stale-while-error 30d, retry after 1m; 8 docs calls in flight per worker; budget 1,500 tokens per agent \(defaults\)$/,
    );
    expect(line(run, 'sample gates')).toMatch(/^PASS .*syntax 100, content \d+, claude-code \d+, trust5 \d+$/);
    expect(line(run, 'sample time and tokens')).toMatch(/^PASS  sample time and tokens +\d+\.\d s, [\d,]+ tokens \(estimated\)/);
    expect(line(run, 'agents cache')).toBe('PASS  agents cache            a finished agent is reused by identical requirements for 7d (default)');
    expect(line(run, 'agent models')).toBe('PASS  agent models            model: by complexity (AF_AGENT_MODELS unset)');
    expect(line(run, 'batch mode')).toMatch(/^PASS  batch mode +--mode batch: up to 1000 requests per Message Batch/);
    expect(line(run, 'logging')).toMatch(/^PASS .*LOG_LEVEL info$/);
    expect(line(run, 'metrics')).toBe('WARN  metrics                 AF_METRICS_PORT unset: workers serve no /metrics — fix: set AF_METRICS_PORT=9464 (one port per worker on a machine; 0 picks a free one)');
    expect(line(run, 'alert thresholds')).toMatch(/^WARN .*AF_ALERT_WEBHOOK unset: alerts only go to the log — fix: /);
    expect(run.stdout).toMatch(/\n22 checks: 20 passed, 2 warned, 0 failed\n$/);
  });

  it('writes nothing into the Redis it checks (not even a queue\'s meta hash)', async () => {
    const env = envFor(good);
    const client = new Redis(good.url);
    try {
      const run = await runCli(['doctor'], { env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(await client.keys(`${env['AF_PREFIX']!}*`)).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('warns near maxmemory and fails at it: a noeviction Redis then refuses every write', async () => {
    const full = await startRedis();
    const client = new Redis(full.url);
    try {
      // 16 MB of data, so the doctor's own connections do not move the share.
      // Written by a connection of its own, closed at once: the SET's 16 MB query buffer counts in
      // used_memory until its connection frees it, and would otherwise leave during the checks.
      const writer = new Redis(full.url);
      await writer.set('ballast', 'x'.repeat(16 * 2 ** 20));
      await writer.quit();
      const used = (): Promise<number> => client.info('memory').then((info) => Number(/^used_memory:(\d+)/m.exec(info)?.[1]));
      const memory = async (share: number): Promise<DoctorCheck> => {
        await client.config('SET', 'maxmemory', String(Math.round((await used()) / share)));
        return (await redisSettingsChecks(client)).find((c) => c.name === 'redis memory')!;
      };
      expect(await memory(0.5)).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^\d+\.\d MB of maxmemory \d+\.\d MB \(50%\)$/) });
      const near = await memory(0.82);
      expect(near).toMatchObject({ status: 'WARN', detail: expect.stringMatching(/\(8\d%\): near maxmemory, where Redis refuses every write \(noeviction\)$/) });
      expect(near.fix).toContain('results --delete');
      expect(await memory(0.95)).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/\(9\d%\): at maxmemory Redis refuses every write \(noeviction\) and batches stop$/) });
    } finally {
      client.disconnect();
      await full.stop();
    }
  });

  it('fails persistence when Redis cannot save to disk (it then refuses every write) and says where to look', async () => {
    const broken = await startRedis({ appendonly: false, args: ['--enable-protected-configs', 'yes'] });
    const client = new Redis(broken.url);
    try {
      const persistence = async (): Promise<DoctorCheck> => (await redisSettingsChecks(client)).find((c) => c.name === 'redis persistence')!;
      // A data dir that is gone, and a save point: the save fails.
      const gone = join(broken.dir, 'gone');
      await mkdir(gone);
      await client.config('SET', 'dir', gone);
      await rmdir(gone);
      await client.config('SET', 'save', '3600 1');
      await client.bgsave();
      while (!/^rdb_bgsave_in_progress:0/m.test(await client.info('persistence'))) await new Promise((r) => setTimeout(r, 20));
      await expect(client.set('k', '1')).rejects.toThrow(/^MISCONF /);
      expect(await persistence()).toEqual({
        name: 'redis persistence',
        status: 'FAIL',
        detail: 'its last RDB save failed: with save points and stop-writes-on-bgsave-error (the default) Redis refuses every write (MISCONF) until a save succeeds, and batches stop',
        fix: "Redis's log says why (often a full or read-only disk): fix that, then BGSAVE; writes resume once a save succeeds",
      });
      await client.config('SET', 'dir', broken.dir);
      await client.bgsave();
      while (!/^rdb_bgsave_in_progress:0/m.test(await client.info('persistence'))) await new Promise((r) => setTimeout(r, 20));
      expect(await persistence()).toMatchObject({ status: 'PASS', detail: 'RDB snapshots' });
    } finally {
      client.disconnect();
      await broken.stop();
    }
  });

  it('checks every master of a Redis Cluster', { timeout: 60_000 }, async () => {
    const cluster = await startRedisCluster();
    try {
      const run = await runCli(['doctor'], { env: { ...envFor(good), REDIS_URL: cluster.url } });
      expect(line(run, 'redis reachable')).toMatch(/^PASS .*\(Redis Cluster, 3 masters\)/);
      expect(line(run, 'redis maxmemory-policy')).toMatch(/^PASS .* noeviction$/);
      // The test cluster keeps nothing on disk, on any of its nodes.
      expect(line(run, 'redis persistence')).toMatch(/^WARN  redis persistence +off: a Redis restart loses every queued requirement/);
      expect(line(run, 'queue validate')).toMatch(/^PASS .*; 0 workers$/);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    } finally {
      await cluster.stop();
    }
  });

  it('fails when Redis is not there, and still runs the other checks', async () => {
    const down = await startRedis();
    const env = envFor(down);
    await down.stop();
    const run = await runCli(['doctor'], { env });
    expect(run.code).toBe(1);
    expect(line(run, 'redis reachable')).toMatch(/^FAIL .*cannot reach Redis/);
    expect(run.stdout).not.toContain('queue analyze');
    expect(line(run, 'sample gates')).toMatch(/^PASS/);
  });
});

describe('doctor: provider key', () => {
  it('fails on a key the API rejects (401), with the API message', async () => {
    const run = await runCli(['doctor'], { env: envFor(good, { AF_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-wrong', ANTHROPIC_BASE_URL: sim.url }) });
    expect(run.code).toBe(1);
    expect(line(run, 'provider')).toMatch(/^FAIL  provider +anthropic at http:\/\/127\.0\.0\.1:\d+ rejected the key: .*401.*invalid x-api-key — fix: set ANTHROPIC_API_KEY/);
  });

  it('passes with a valid key, and the sample agent is generated through the API', async () => {
    const run = await runCli(['doctor'], { env: envFor(good, { AF_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-valid', ANTHROPIC_BASE_URL: sim.url }) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(line(run, 'provider')).toMatch(/^PASS  provider +anthropic at .*: the key works \(count_tokens on claude-[a-z0-9.-]+: \d+ tokens\)$/);
    expect(line(run, 'sample gates')).toMatch(/^PASS .*anthropic claude-/);
    // Exact figures from the provider, so no "(estimated)".
    expect(line(run, 'sample time and tokens')).toMatch(/^PASS  sample time and tokens +\d+\.\d s, [\d,]+ tokens \(limits/);
  });
});

describe('doctor: sample agent', () => {
  it('warns when the sample only passed through the offline fallback', async () => {
    const sample = 'An agent that reviews Python code for style problems. DOCTOR-BROKEN';
    const run = await runCli(['doctor', '--sample', sample], { env: envFor(good, { AF_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-valid', ANTHROPIC_BASE_URL: sim.url }) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(line(run, 'sample gates')).toMatch(/^WARN  sample gates +agent \S+ \(simple, offline\): .*, but degraded: anthropic output failed validation twice; the offline generator answered/);
  });

  it('fails on failing gates, listing the rules, and on an agent over 30 s or 7,000 tokens', async () => {
    const result = await runPipeline({ requirement: 'An agent that reviews Terraform plans for public S3 buckets.' });
    const finding = { gate: 'content', rule: 'content/missing-section', severity: 'error', line: 1, message: 'no workflow section' } as const;
    const report = { passed: false, gates: result.report.gates.map((g) => (g.gate === 'content' ? { ...g, passed: false, score: 40, findings: [finding] } : g)) };
    const gates = gatesCheck({ ...result, report }, 'the requirement');
    expect(gates).toMatchObject({ status: 'FAIL', fix: 'see every finding: agent-factory generate --dry-run "the requirement"' });
    expect(gates.detail).toMatch(/^content failed \(syntax 100, content 40, .*\); failing rules: content\/missing-section$/);
    expect(costCheck(result, 1_200)).toMatchObject({ status: 'PASS' });
    const slow = costCheck(result, SAMPLE_MAX_MS + 500);
    expect(slow.status).toBe('FAIL');
    expect(slow.detail).toMatch(/^30\.5 s, [\d,]+ tokens \(estimated\), too slow \(limits 30 s and 7,000 tokens\); stages: analyze /);
    const heavy = { ...result.budget, total: { ...result.budget.total, tokens: SAMPLE_MAX_TOKENS } };
    expect(costCheck({ ...result, budget: heavy }, 1_000).detail).toContain('7,000 tokens (estimated), too many tokens');
  });
});

describe('doctor: queues', () => {
  it('fails when a stage queue has waiting jobs and no worker takes them', async () => {
    const env = envFor(good);
    const connection = new Redis(good.url);
    const queue = new Queue('generate', { connection, prefix: env['AF_PREFIX']! });
    try {
      await queue.add('generate', { b: 'b_doctor', k: '0123456789abcdef' });
      await queue.add('generate', { b: 'b_doctor', k: 'fedcba9876543210' }, { priority: 3 });
      const run = await runCli(['doctor'], { env });
      expect(run.code).toBe(1);
      expect(line(run, 'queue generate')).toMatch(/^FAIL  queue generate +waiting 2, active 0, delayed 0, failed 0, stalled 0; 0 workers: 2 jobs and no worker takes generate jobs — fix: start a worker for it: agent-factory worker --stages generate/);
      expect(line(run, 'queue analyze')).toMatch(/^PASS/);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  });

  it('sees a connected worker, and a stalled job (active, its lock gone)', async () => {
    const env = envFor(good);
    const prefix = env['AF_PREFIX']!;
    const connection = new Redis(good.url, { maxRetriesPerRequest: null });
    const queue = new Queue('validate', { connection, prefix });
    // No processor: the test takes the job by hand, as a worker that then dies would.
    const worker = new Worker('validate', null, { connection, prefix });
    try {
      await queue.add('validate', { b: 'b_doctor', k: '0123456789abcdef' });
      await worker.waitUntilReady();
      const job = await worker.getNextJob('doctor-test');
      await connection.del(`${prefix}:validate:${job!.id}:lock`);
      const withWorker = await runCli(['doctor'], { env });
      expect(line(withWorker, 'queue validate')).toMatch(
        /^WARN  queue validate +waiting 0, active 1, delayed 0, failed 0, stalled 1; 1 worker; 1 active job without a worker's lock — fix: a running worker moves stalled jobs back/,
      );
      await worker.close();
      const noWorker = await runCli(['doctor'], { env });
      expect(noWorker.code).toBe(1);
      expect(line(noWorker, 'queue validate')).toMatch(/^FAIL  queue validate +waiting 0, active 1, delayed 0, failed 0, stalled 1; 0 workers: 1 job and no worker takes validate jobs/);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    }
  });

  it('warns on a backlog, stalled jobs and many failures; fails on jobs with no worker', () => {
    const quiet = { waiting: 0, active: 0, delayed: 0, failed: 0, stalled: 0, workers: 2 };
    expect(judgeQueue('analyze', quiet).status).toBe('PASS');
    const busy = judgeQueue('generate', { ...quiet, waiting: 10_001, stalled: 3, active: 3, failed: 1_000 });
    expect(busy.status).toBe('WARN');
    expect(busy.detail).toContain('backed up (over 10,000 waiting); 3 active jobs without a worker\'s lock; many failed jobs (1,000 or more)');
    expect(judgeQueue('validate', { ...quiet, workers: 0, delayed: 1 }).status).toBe('FAIL');
    expect(judgeQueue('validate', { ...quiet, workers: 0, failed: 5 }).status).toBe('PASS');
  });
});

describe('doctor: traces', () => {
  it('sends the collector an empty OTLP export: passes when it takes it, fails on an error status or no answer', async () => {
    const received: { path: string; type: string | undefined; body: string }[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: req.headers['content-type'], body });
        res.statusCode = req.url === '/v1/traces' ? 200 : 404;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      const ok = await tracesCheck({ OTEL_EXPORTER_OTLP_ENDPOINT: `${base}/`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 5_000);
      expect(ok).toMatchObject({ status: 'PASS', detail: expect.stringMatching(new RegExp(`^OTLP/HTTP collector at ${base}/v1/traces \\(http/json\\) took an empty export \\(200\\) in \\d+ ms$`)) });
      expect(received).toEqual([{ path: '/v1/traces', type: 'application/json', body: '{"resourceSpans":[]}' }]);
      // Protobuf by default: an empty request is no bytes.
      expect(await tracesCheck({ OTEL_EXPORTER_OTLP_ENDPOINT: base }, 5_000)).toMatchObject({ status: 'PASS', detail: expect.stringContaining('(http/protobuf) took an empty export (200)') });
      expect(received[1]).toEqual({ path: '/v1/traces', type: 'application/x-protobuf', body: '' });
      const wrong = await tracesCheck({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${base}/otlp` }, 5_000);
      expect(wrong).toMatchObject({ status: 'FAIL', detail: `OTLP/HTTP collector at ${base}/otlp (http/protobuf) answered 404: workers' spans would be dropped`, fix: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') });
    } finally {
      await new Promise((r) => collector.close(r));
    }
    const nobody = await tracesCheck({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` }, 5_000);
    expect(nobody.status).toBe('FAIL');
    expect(nobody.detail).toMatch(/^OTLP\/HTTP collector at http:\/\/127\.0\.0\.1:\d+\/v1\/traces \(http\/protobuf\): /);
  });
});

describe('doctor: output and usage', () => {
  it('--json prints the checks and the counts', async () => {
    const research = { AF_RESEARCH_TTL: '12h', AF_RESEARCH_STALE: '0', AF_RESEARCH_RETRY: '500ms', AF_RESEARCH_CONCURRENCY: '1', AF_RESEARCH_BUDGET: '3000' };
    const run = await runCli(['doctor', '--json'], { env: envFor(good, { AF_RESEARCH: 'none', AF_METRICS_PORT: '9464', AF_ALERT_WEBHOOK: 'https://hooks.example.com/secret/path', ...research }) });
    expect(run.code).toBe(0);
    const report: DoctorReport = DoctorReportSchema.parse(JSON.parse(run.stdout));
    expect(report.checks.map((c) => c.name)).toEqual([
      'redis reachable', 'redis version', 'redis maxmemory-policy', 'redis persistence', 'redis memory',
      'queue analyze', 'queue research', 'queue generate', 'queue validate',
      'provider', 'research source', 'research settings', 'sample gates', 'sample time and tokens', 'agents cache', 'worker settings', 'agent models', 'batch mode', 'logging', 'metrics', 'traces', 'alert thresholds',
    ]);
    expect(report).toMatchObject({ passed: 21, warned: 1, failed: 0 });
    expect(report.checks.find((c) => c.name === 'traces')?.detail).toBe('off: OTEL_EXPORTER_OTLP_ENDPOINT unset (or OTEL_SDK_DISABLED=true), workers make no traces');
    expect(report.checks.find((c) => c.name === 'research source')).toEqual({
      name: 'research source', status: 'WARN', detail: 'no research (AF_RESEARCH=none): agents are written without library docs', fix: expect.any(String),
    });
    // Set values, not defaults; checked even without research, as workers read them regardless.
    expect(report.checks.find((c) => c.name === 'research settings')).toEqual({
      name: 'research settings',
      status: 'PASS',
      detail: 'research cache: TTL 12h, stale-while-error off, retry after 500ms; 1 docs call in flight per worker; budget 3,000 tokens per agent',
    });
    const alerts = report.checks.find((c) => c.name === 'alert thresholds');
    expect(alerts?.detail).toContain('webhook on hooks.example.com');
    expect(alerts?.detail).not.toContain('secret');
    expect(report.checks.filter((c) => c.status === 'PASS').every((c) => c.fix === undefined)).toBe(true);
  });

  it('reports bad settings as failures that name the variable', async () => {
    const run = await runCli(['doctor'], { env: envFor(good, { AF_METRICS_PORT: 'abc', AF_ALERT_P95_MS: '-5', LOG_LEVEL: 'loud', AF_RESEARCH: 'bogus', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }) });
    expect(run.code).toBe(1);
    expect(line(run, 'metrics')).toMatch(/^FAIL  metrics +AF_METRICS_PORT: /);
    expect(line(run, 'traces')).toMatch(/^FAIL  traces +OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL \(an OTLP\/HTTP collector\), not "collector:4318" — fix: /);
    expect(line(run, 'alert thresholds')).toMatch(/^FAIL  alert thresholds +AF_ALERT_P95_MS: /);
    expect(line(run, 'logging')).toMatch(/^FAIL  logging +LOG_LEVEL: "loud" is not a level/);
    // In the words a worker refuses it with.
    expect(line(run, 'research source')).toMatch(/^FAIL  research source +AF_RESEARCH must be local, context7, context7-stdio, none, not "bogus" — fix: /);
    expect(() => workerSettings({ AF_RESEARCH: 'bogus' })).toThrow('AF_RESEARCH must be local, context7, context7-stdio, none, not "bogus"');
  });

  it('fails on a CONTEXT7_URL a worker would refuse, in the words a worker uses, even with local research', async () => {
    const run = await runCli(['doctor'], { env: envFor(good, { AF_RESEARCH: 'local', CONTEXT7_URL: 'localhost:8080' }) });
    expect(run.code).toBe(1);
    const refusal = 'CONTEXT7_URL: "localhost:8080" has the scheme localhost: give http(s)://host[:port][/path]';
    expect(line(run, 'research source')).toMatch(/^FAIL  research source +CONTEXT7_URL: /);
    expect(line(run, 'research source')).toContain(refusal);
    expect(() => workerSettings({ AF_RESEARCH: 'local', CONTEXT7_URL: 'localhost:8080' })).toThrow(refusal);
  });

  it('reports a bad LOG_FORMAT under logging, not under the alert thresholds', async () => {
    const run = await runCli(['doctor'], { env: envFor(good, { LOG_FORMAT: 'bogus' }) });
    expect(run.code).toBe(1);
    expect(line(run, 'logging')).toMatch(/^FAIL  logging +LOG_FORMAT: "bogus" is neither json nor pretty: workers refuse to start \(exit 2\) — fix: set LOG_FORMAT to json or pretty/);
    expect(line(run, 'alert thresholds')).toMatch(/^(PASS|WARN)/);
  });

  it('fails on a generation or pipeline setting a worker would refuse, offline too', async () => {
    const cases = [
      ['provider', 'AF_GENERATION_MODELS', 'foo'],
      ['provider', 'AF_PRICES', 'bad'],
      ['provider', 'AF_GENERATION_MAX_TOKENS', 'abc'],
      ['agent models', 'AF_AGENT_MODELS', 'simple=gpt'],
      ['batch mode', 'AF_LLM_BATCH_MAX_REQUESTS', '0'],
    ] as const;
    for (const [check, variable, value] of cases) {
      const run = await runCli(['doctor'], { env: envFor(good, { [variable]: value }) });
      expect(run.code).toBe(1);
      expect(line(run, check)).toMatch(new RegExp(`^FAIL  ${check} +${variable}`));
    }
  });

  it('fails on a worker or queue setting a worker would refuse, with its message, and still checks Redis', async () => {
    const cases = [
      ['AF_CONCURRENCY', 'generate=0', /^AF_CONCURRENCY: "generate=0" is not stage=N/],
      ['AF_STAGES', 'foo', /^AF_STAGES: unknown stage "foo"/],
      ['AF_GRACE_MS', 'abc', /^AF_GRACE_MS must be a whole number of milliseconds, not "abc"$/],
      ['AF_GENERATE_DELAY_MS', 'abc', /^AF_GENERATE_DELAY_MS must be a whole number of milliseconds, not "abc"$/],
      ['AF_LOCK_MS', '1', /^AF_LOCK_MS: Too small/],
      ['AF_ATTEMPTS', '0', /^AF_ATTEMPTS: Too small/],
      ['AF_RATE_LIMIT', 'rpm=abc', /^AF_RATE_LIMIT: "rpm=abc" is not rpm=N/],
      ['AF_WEBHOOK_SECRET', 'x', /^AF_WEBHOOK_SECRET: must be at least 16 characters/],
    ] as const;
    for (const [variable, value, message] of cases) {
      const env = envFor(good, { [variable]: value });
      let said = '';
      try {
        workerSettings(env);
      } catch (error) {
        said = (error as Error).message;
      }
      expect(said, variable).toMatch(message);
      const run = await runCli(['doctor'], { env });
      expect(run.code, variable).toBe(1);
      expect(line(run, 'worker settings')).toBe(`FAIL  worker settings         ${said}; workers refuse to start (exit 2) — fix: fix the variable it names, or unset it for its default (see the configuration table in the README)`);
      // The one bad setting does not hide Redis: every check still runs, and only that one fails.
      expect(line(run, 'redis reachable')).toMatch(/^PASS/);
      expect(line(run, 'queue generate')).toMatch(/^(PASS|WARN)/);
      expect(run.stdout).toMatch(/\n22 checks: \d+ passed, \d+ warned, 1 failed\n$/);
    }
  });

  it('fails on a research setting a worker would refuse, with the message the worker gives', async () => {
    /** What `agent-factory worker` says before it exits 2. */
    const workerMessage = (env: NodeJS.ProcessEnv): string => {
      try {
        workerSettings(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`the worker accepts ${JSON.stringify(env)}`);
    };
    for (const [name, value, message] of [
      ['AF_RESEARCH_TTL', '7 weeks', /^AF_RESEARCH_TTL: "7 weeks" is not a duration /],
      ['AF_RESEARCH_CONCURRENCY', '0', /^AF_RESEARCH_CONCURRENCY: "0" is not a whole number from 1 to 1000$/],
    ] as const) {
      const env = envFor(good, { [name]: value });
      const said = workerMessage(env);
      expect(said).toMatch(message);
      const run = await runCli(['doctor'], { env });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(line(run, 'research settings')).toBe(
        `FAIL  research settings       ${said}; workers refuse to start (exit 2) — fix: fix the variable it names, or unset it for its default (see the configuration table in the README)`,
      );
      // Only that check: the source and the sample do not depend on these settings.
      expect(line(run, 'research source')).toMatch(/^PASS/);
      expect(run.stdout).toMatch(/\n22 checks: \d+ passed, \d+ warned, 1 failed\n$/);
    }
  });

  it('checks AF_AGENTS_TTL as a worker reads it, and says when the cache is off', () => {
    expect(agentsCacheCheck({ AF_AGENTS_TTL: '12h' })).toEqual({ name: 'agents cache', status: 'PASS', detail: 'a finished agent is reused by identical requirements for 12h (AF_AGENTS_TTL)' });
    let said = '';
    try {
      workerSettings({ AF_AGENTS_TTL: 'a week' });
    } catch (error) {
      said = (error as Error).message;
    }
    expect(said).toMatch(/^AF_AGENTS_TTL: "a week" is not a duration/);
    // Concurrency from the environment or the flag: the message names which.
    expect(() => workerSettings({ AF_CONCURRENCY: 'generate=abc' })).toThrow(/^AF_CONCURRENCY: "generate=abc" is not stage=N/);
    expect(() => workerSettings({}, { concurrency: 'generat=2' })).toThrow(/^--concurrency: "generat=2" is not stage=N/);
    expect(agentsCacheCheck({ AF_AGENTS_TTL: 'a week' })).toMatchObject({ status: 'FAIL', detail: `${said}; workers refuse to start (exit 2)` });
    // Workers read the lifetime even with the cache off.
    expect(agentsCacheCheck({ AF_CACHE: 'none', AF_AGENTS_TTL: 'a week' })).toMatchObject({ status: 'FAIL' });
    expect(agentsCacheCheck({ AF_CACHE: 'none' })).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^off \(AF_CACHE=none\)/) });
    expect(agentsCacheCheck({ AF_CACHE: 'off' })).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^off \(AF_CACHE=off\)/) });
    expect(agentsCacheCheck({ AF_CACHE: 'of' })).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/^AF_CACHE: must be none, off/) });
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli(['doctor', '--sample', ' '], { env: envFor(good) })).code).toBe(2);
    expect((await runCli(['doctor', '--bogus'], { env: envFor(good) })).code).toBe(2);
  });
});
