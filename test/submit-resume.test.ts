// A producer that dies mid-submit: its batch becomes `interrupted` once its lease runs out (noticed by
// readers and by workers), what it enqueued still runs, and `submit FILE --resume BATCH` finishes it
// with every input id answered exactly once. Real `agent-factory` processes on a private redis-server;
// the CLI runs from dist: `npx tsc -b` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchKeys, batchResults, connect, createLogger, getBatch, interruptionReason, STAGES, SUBMIT_CHUNK, type BatchStatus, type FactoryConnection } from '@agent-factory/queue';
import { createAgentFactory, FactoryInputError } from '@agent-factory/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../apps/server/src/index.js';
import { countBatch, expectSound } from './faults/counts.js';
import { CLI, runCli, testEnv } from './helpers/cli.js';
import { limitMemory } from './helpers/maxmemory.js';
import { inputIds, sleep, spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';
import { readEvents } from './helpers/sse.js';

/** Short, so a dead producer shows within seconds; production's default is 15 s. */
const LEASE_MS = 1500;
/** Input lines per test file, and lines per distinct requirement: many ids to enqueue, few agents to generate. */
const LINES = 40_000;
const REPEATS = 100;
/** The producer is killed once this many inputs are in the batch (a few chunks, well before the end). */
const KILL_AFTER = 2000;

let redis: TestRedis;
let dir: string;
let file: string;
const children = new Set<ChildProcess>();
const workers: WorkerProcess[] = [];

/** `r<i>` → requirement `i / REPEATS`: identical requirements spread over the whole file, so a resume enqueues new ones too. */
function requirementsFile(lines: number, tweak: (i: number) => string = () => '', repeats = REPEATS): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(i / repeats);
    out.push(JSON.stringify({ id: `r${i}`, requirement: `Review Terraform plans for public S3 buckets in stack ${n}${tweak(i)} and report findings (case ${n}).` }));
  }
  return `${out.join('\n')}\n`;
}

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  dir = await mkdtemp(join(tmpdir(), 'af-resume-test-'));
  file = join(dir, 'requirements.jsonl');
  await writeFile(file, requirementsFile(LINES));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

function envFor(prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'none', LOG_LEVEL: 'error', AF_SUBMIT_LEASE_MS: String(LEASE_MS), ...extra };
}

/** A worker process under the prefix (its "worker ready" line is logged at info). */
async function startWorker(prefix: string, extra: NodeJS.ProcessEnv = {}): Promise<void> {
  workers.push(await spawnWorker(envFor(prefix, { LOG_LEVEL: 'info', ...extra })));
}

async function open(prefix: string): Promise<FactoryConnection> {
  return connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
}

interface Submit {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
}

/** `agent-factory submit …` as a child process the test can signal. */
function startSubmit(args: string[], env: NodeJS.ProcessEnv): Submit {
  const child = spawn(process.execPath, [CLI, 'submit', ...args], { env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/**
 * The raw batch hash (never through getBatch, which would notice an expired lease itself) of the one
 * batch under the prefix, once it holds at least `inputs` inputs; fails when the submit ended first.
 */
async function whenEnqueued(conn: FactoryConnection, submit: Submit, inputs: number): Promise<{ id: string; hash: Record<string, string> }> {
  let exited = false;
  void submit.exited.then(() => (exited = true));
  for (;;) {
    const [id] = await conn.redis.zrange(`${conn.config.prefix}:batches`, 0, 0);
    const hash = id ? await conn.redis.hgetall(batchKeys(conn.config.prefix, id).batch) : {};
    if (id && Number(hash['inputs'] ?? 0) >= inputs) return { id, hash };
    if (exited) throw new Error(`the submit ended before ${inputs} inputs were enqueued: ${JSON.stringify(submit.output())}`);
    await sleep(5);
  }
}

async function statusJson(prefix: string, id: string): Promise<BatchStatus> {
  const run = await runCli(['status', id, '--json'], { env: envFor(prefix) });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as BatchStatus;
}

/** Every input id of the file answered exactly once, in order, by a completed agent; nothing lost, nothing run twice. */
async function expectAnsweredOnce(conn: FactoryConnection, id: string, lines: number): Promise<void> {
  const counts = await countBatch(conn, id);
  console.log(`resume: ${id}: inputs ${lines}, distinct ${counts.submitted}, completed ${counts.completed}, lost ${counts.lost}, duplicates ${counts.duplicates} (${JSON.stringify(counts.sources)})`);
  expectSound(counts);
  expect(counts.completed).toBe(lines / REPEATS);
  const ids = await inputIds(conn, id);
  expect(ids.map(([inputId]) => inputId)).toEqual(Array.from({ length: lines }, (_, i) => `r${i}`));
  let rows = 0;
  for await (const row of batchResults(conn, id)) {
    expect(row.inputId).toBe(`r${rows}`);
    expect(row.state).toBe('completed');
    rows++;
  }
  expect(rows).toBe(lines);
  for (const stage of STAGES) {
    const { waiting, active, delayed, prioritized, failed } = await conn.queues[stage].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    expect({ stage, waiting, active, delayed, prioritized, failed }).toEqual({ stage, waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 });
  }
}

describe('a submit killed mid-enqueue', () => {
  it('is interrupted for every reader (status, API, event stream); the enqueued part runs; --resume finishes it exactly once', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const server: RunningServer = await startServer(conn, { host: '127.0.0.1', port: 0, ssePollMs: 100 });
    try {
      const submit = startSubmit([file, '--json'], envFor(prefix));
      const { id, hash } = await whenEnqueued(conn, submit, KILL_AFTER);
      expect(hash).toMatchObject({ state: 'running', open: '1', expected: String(LINES) });
      // Someone follows the batch over SSE, as the dashboard does; it must end, not wait forever.
      const events = fetch(`${server.url}/api/batches/${id}/events`).then(readEvents);
      submit.child.kill('SIGKILL');
      expect((await submit.exited).signal).toBe('SIGKILL');
      const killedAt = Date.now();
      // Chunks written whose jobs the producer had not added yet (often some: 3 chunks are in flight).
      const unjobbed = await conn.redis.hlen(batchKeys(prefix, id).unjobbed);

      // The stream ends with the interrupted state once the lease has run out.
      const streamed = await events;
      const last = streamed.at(-1);
      expect(last?.event).toBe('end');
      const ended = JSON.parse(last!.data) as BatchStatus;
      expect(ended.state).toBe('interrupted');
      console.log(`resume: interrupted ${Date.now() - killedAt} ms after the kill (lease ${LEASE_MS} ms); chunks without jobs at the kill: ${unjobbed}`);

      // status and the API say what happened and what to do, with the counts as they are.
      const status = await statusJson(prefix, id);
      const enqueued = status.inputs;
      expect(enqueued).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(enqueued).toBeLessThan(LINES);
      expect(enqueued % SUBMIT_CHUNK).toBe(0); // whole chunks only
      // Requirement n is on lines n × REPEATS … (n + 1) × REPEATS − 1: a chunk may end inside one.
      const distinct = Math.ceil(enqueued / REPEATS);
      expect(await conn.redis.llen(batchKeys(prefix, id).ids)).toBe(enqueued);
      // The jobs the producer wrote but never added (its chunks in flight) were added when it was found dead.
      expect(await conn.redis.exists(batchKeys(prefix, id).unjobbed)).toBe(0);
      expect(status).toMatchObject({ state: 'interrupted', expected: LINES, total: distinct, counts: { pending: distinct, completed: 0 } });
      expect(status.reason).toContain(`submit stopped after enqueuing ${enqueued.toLocaleString('en-US')} of the file's ${LINES.toLocaleString('en-US')} requirement(s)`);
      expect(status.reason).toContain(`--resume ${id}`);
      expect(status.reason).toContain(`agent-factory cancel ${id}`);
      const shown = await runCli(['status', id], { env: envFor(prefix) });
      expect(shown.stdout).toMatch(/state\s+interrupted/);
      expect(shown.stdout).toMatch(/reason\s+submit stopped after enqueuing/);
      expect((await runCli(['status'], { env: envFor(prefix) })).stdout).toMatch(new RegExp(`${id}\\s+requirements\\.jsonl\\s+default\\s+interrupted`));
      const api = (await (await fetch(`${server.url}/api/batches/${id}`)).json()) as BatchStatus;
      expect(api).toMatchObject({ id, state: 'interrupted', inputs: enqueued, reason: status.reason });

      // A worker runs what was enqueued; the batch finishes, still saying it is incomplete, and its results are collectable.
      await startWorker(prefix);
      const drained = await waitForBatch(conn, id, 60_000);
      expect(drained).toMatchObject({ state: 'interrupted', inputs: enqueued, counts: { pending: 0, completed: distinct, failed: 0 } });
      const out = join(dir, 'partial');
      const results = await runCli(['results', id, '--out', out], { env: envFor(prefix) });
      expect(results.code, results.stderr).toBe(0);
      expect(results.stdout).toMatch(/the batch is interrupted/);
      const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { state?: string; file?: string }>;
      expect(Object.keys(index)).toHaveLength(enqueued);
      expect(Object.values(index).every((entry) => entry.file !== undefined)).toBe(true);

      // Resume: only what is missing is enqueued; the batch completes.
      const resumed = await runCli(['submit', file, '--resume', id, '--wait', '--json'], { env: envFor(prefix) });
      expect(resumed.code, resumed.stderr).toBe(0);
      const final = JSON.parse(resumed.stdout) as BatchStatus;
      expect(final).toMatchObject({ id, state: 'completed', inputs: LINES, total: LINES / REPEATS, counts: { pending: 0, completed: LINES / REPEATS, failed: 0, cancelled: 0 } });
      expect(final.reason).toBeUndefined();
      await expectAnsweredOnce(conn, id, LINES);

      // Nothing is left to resume, and the finished batch expires like any other.
      const again = await runCli(['submit', file, '--resume', id], { env: envFor(prefix) });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing to resume/);
      // Though there is nothing to do, another file is still no file of this batch's, and says so.
      const other = join(dir, 'other.txt');
      await writeFile(other, 'Review the Go services for goroutine leaks\n');
      const wrongFile = await runCli(['submit', other, '--resume', id], { env: envFor(prefix) });
      expect(wrongFile.code).toBe(2);
      expect(wrongFile.stderr).toMatch(/requirement 1 of the input/);
      const longer = join(dir, 'longer.jsonl');
      await writeFile(longer, `${await readFile(file, 'utf8')}{"requirement":"Audit the Helm charts for missing resource limits"}\n`);
      const tooLong = await runCli(['submit', longer, '--resume', id], { env: envFor(prefix) });
      expect(tooLong.code).toBe(2);
      expect(tooLong.stderr).toMatch(/nothing to resume; submit the rest as a batch of its own/);
      expect(await conn.redis.ttl(batchKeys(prefix, id).results)).toBeGreaterThan(0);
      expect(await conn.redis.exists(batchKeys(prefix, id).lease)).toBe(0);
      expect(await conn.redis.zcard(`${prefix}:submitting`)).toBe(0);
    } finally {
      await server.close(1000);
      await conn.close();
    }
  }, 180_000);

  it('is marked interrupted by the workers when nobody reads it, and a resume while they work loses and repeats nothing', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    try {
      await startWorker(prefix);
      const submit = startSubmit([file], envFor(prefix));
      const { id } = await whenEnqueued(conn, submit, KILL_AFTER);
      submit.child.kill('SIGKILL');
      await submit.exited;
      // Raw reads only: nothing here goes through getBatch, so only a worker's sweep can end the submission.
      const key = batchKeys(prefix, id).batch;
      const until = Date.now() + 30_000;
      while ((await conn.redis.hget(key, 'state')) !== 'interrupted' && Date.now() < until) await sleep(50);
      expect(await conn.redis.hmget(key, 'state', 'interruptCause', 'open')).toEqual(['interrupted', 'lease', null]);

      // Resumed while the worker may still be running the first part.
      const resumed = await runCli(['submit', file, '--resume', id, '--wait'], { env: envFor(prefix) });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(new RegExp(`batch ${id} resumed: \\d+ requirement\\(s\\) were enqueued already, \\d+ more submitted now`));
      expect(resumed.stdout).toMatch(/state\s+completed, 100\.0% done/);
      await expectAnsweredOnce(conn, id, LINES);
    } finally {
      await conn.close();
    }
  }, 180_000);
});

/** `agent-factory serve` as a child process the test can kill; resolves once it prints its URL. */
async function spawnServer(prefix: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: testEnv(envFor(prefix, { AF_API_TOKEN: API_TOKEN, AF_BODY_LIMIT: '16mb', AF_HOST: '' })), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /Bull Board at (http:\/\/[^/\s]+)\//.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { url, child };
}

const API_TOKEN = 'resume-test-token-0123456789';
const authed = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };

/** The test file's requirements as a POST body. */
async function requestBody(path = file): Promise<string> {
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  return JSON.stringify({ name: 'over-http', requirements: lines.map((line) => JSON.parse(line) as unknown) });
}

/** Starts a POST of the whole file to a server that is killed once the batch holds KILL_AFTER inputs. */
async function postAndKill(conn: FactoryConnection, prefix: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const server = await spawnServer(prefix);
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  const posted = fetch(`${server.url}/api/batches`, { method: 'POST', headers: { ...authed, ...headers }, body }).then(
    (res) => `answered ${res.status}`,
    () => 'cut off',
  );
  const asSubmit: Submit = { child: server.child, exited: exited.then(() => ({ code: null, signal: 'SIGKILL' as const })), output: () => ({ stdout: '', stderr: '' }) };
  const { id, hash } = await whenEnqueued(conn, asSubmit, KILL_AFTER);
  expect(hash).toMatchObject({ open: '1', expected: String(LINES), via: 'api' });
  server.child.kill('SIGKILL');
  await exited;
  expect(await posted).toBe('cut off');
  return id;
}

describe('a server killed mid-POST', () => {
  it('leaves an interrupted batch that says how to resume over HTTP; a different body is refused (409), the same body finishes it exactly once', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const body = await requestBody();
    try {
      const id = await postAndKill(conn, prefix, body);
      let status = await getBatch(conn, id);
      const until = Date.now() + 30_000;
      while (status?.state !== 'interrupted' && Date.now() < until) {
        await sleep(50);
        status = await getBatch(conn, id);
      }
      expect(status?.state).toBe('interrupted');
      const enqueued = status!.inputs;
      expect(status!.reason).toContain(`submit stopped after enqueuing ${enqueued.toLocaleString('en-US')} of the request's ${LINES.toLocaleString('en-US')} requirement(s)`);
      expect(status!.reason).toContain(`POST the same body to /api/batches/${id}/resume`);
      expect(status!.reason).toContain(`DELETE /api/batches/${id}`);

      const server = await spawnServer(prefix);
      try {
        const other = JSON.parse(body) as { requirements: { id: string; requirement: string }[] };
        other.requirements[0]!.requirement += ' (edited)';
        const refused = await fetch(`${server.url}/api/batches/${id}/resume`, { method: 'POST', headers: authed, body: JSON.stringify(other) });
        expect(refused.status).toBe(409);
        expect(await refused.json()).toMatchObject({ error: { code: 'resume_refused', message: expect.stringMatching(/requirement 1 of the input \(id "r0"\) is not the one batch/) } });
        expect(await getBatch(conn, id)).toMatchObject({ state: 'interrupted', inputs: enqueued });
        const unknown = await fetch(`${server.url}/api/batches/b_nope/resume`, { method: 'POST', headers: authed, body });
        expect(unknown.status).toBe(404);
        // A rest that will not fit Redis is refused up front (507 redis_full), the batch left as it was.
        const restDistinct = (LINES / REPEATS - Math.ceil(enqueued / REPEATS)).toLocaleString('en-US');
        await limitMemory(conn.redis, 2 ** 20);
        try {
          const full = await fetch(`${server.url}/api/batches/${id}/resume`, { method: 'POST', headers: authed, body });
          expect(full.status).toBe(507);
          const message = new RegExp(`^the rest of batch ${id} \\([\\d,]+ more requirement\\(s\\)\\) needs about [\\d.]+ MB in Redis .* \\(${restDistinct} distinct requirement\\(s\\) at about 5 KB each, [\\d,]+ repeat\\(s\\) at about 32 bytes each\\) .* so nothing more was enqueued and the batch stays interrupted`);
          expect(await full.json()).toMatchObject({ error: { code: 'redis_full', message: expect.stringMatching(message) } });
          expect(await getBatch(conn, id)).toMatchObject({ state: 'interrupted', inputs: enqueued });
        } finally {
          await conn.redis.config('SET', 'maxmemory', '0');
        }

        const resumed = await fetch(`${server.url}/api/batches/${id}/resume`, { method: 'POST', headers: authed, body });
        expect(resumed.status).toBe(200);
        expect(await resumed.json()).toMatchObject({ resumed: true, skipped: enqueued, added: LINES - enqueued, status: { id, inputs: LINES, state: 'running' } });
        await startWorker(prefix);
        expect(await waitForBatch(conn, id, 120_000)).toMatchObject({ state: 'completed', inputs: LINES });
        await expectAnsweredOnce(conn, id, LINES);
        const again = await fetch(`${server.url}/api/batches/${id}/resume`, { method: 'POST', headers: authed, body });
        expect(await again.json()).toMatchObject({ resumed: false, added: 0 });
      } finally {
        server.child.kill('SIGTERM');
      }
    } finally {
      await conn.close();
    }
  }, 180_000);

  it('is finished by the same POST repeated with its Idempotency-Key', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const body = await requestBody();
    const key = { 'idempotency-key': 'resume-test-key-1' };
    try {
      const id = await postAndKill(conn, prefix, body, key);
      await startWorker(prefix);
      const server = await spawnServer(prefix);
      try {
        // At once, before the dead server's lease has run out: the retry waits for it (at most one lease), then resumes.
        const retried = await fetch(`${server.url}/api/batches`, { method: 'POST', headers: { ...authed, ...key }, body });
        // The batch the key made, finished: a replay (200), not a new batch (201).
        expect(retried.status).toBe(200);
        expect(await retried.json()).toMatchObject({ id, inputs: LINES });
        expect(await waitForBatch(conn, id, 120_000)).toMatchObject({ state: 'completed', inputs: LINES });
        await expectAnsweredOnce(conn, id, LINES);
        // Once more: the finished batch is answered, nothing is enqueued again.
        const third = await fetch(`${server.url}/api/batches`, { method: 'POST', headers: { ...authed, ...key }, body });
        expect(await third.json()).toMatchObject({ id, state: 'completed', inputs: LINES });
        await expectAnsweredOnce(conn, id, LINES);
      } finally {
        server.child.kill('SIGTERM');
      }
    } finally {
      await conn.close();
    }
  }, 180_000);
});

describe('resuming from the library', () => {
  it('factory.resumeBatch finishes an interrupted batch from the same file and refuses another', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const factory = createAgentFactory({ provider: 'offline', research: 'none', redisUrl: redis.url, prefix });
    try {
      const submit = startSubmit([file], envFor(prefix));
      const { id } = await whenEnqueued(conn, submit, KILL_AFTER);
      submit.child.kill('SIGINT');
      await submit.exited;
      const held = (await factory.batchStatus(id))!;
      expect(held.state).toBe('interrupted');

      const other = join(dir, 'library-other.jsonl');
      await writeFile(other, requirementsFile(LINES, (i) => (i === 1 ? ' (edited)' : '')));
      await expect(factory.resumeBatch(id, { file: other })).rejects.toThrow(FactoryInputError);
      await expect(factory.resumeBatch(id, { file: other })).rejects.toThrow(/requirement 2 of the input \(id "r1"\) is not the one batch/);
      expect(await factory.batchStatus(id)).toMatchObject({ state: 'interrupted', inputs: held.inputs });

      const outcome = await factory.resumeBatch(id, { file });
      expect(outcome).toMatchObject({ resumed: true, skipped: held.inputs, added: LINES - held.inputs, status: { id, inputs: LINES } });
      await startWorker(prefix);
      expect(await waitForBatch(conn, id, 120_000)).toMatchObject({ state: 'completed', inputs: LINES });
      await expectAnsweredOnce(conn, id, LINES);
      expect(await factory.resumeBatch(id, { file })).toMatchObject({ resumed: false, added: 0 });
    } finally {
      await factory.close();
      await conn.close();
    }
  }, 180_000);

  it("says how to resume in the words of where the batch came from, with the input's count", () => {
    const hash = { inputs: '2000', expected: '40000', interruptCause: 'lease' };
    expect(interruptionReason('b_1', hash)).toMatch(/after enqueuing 2,000 of the file's 40,000 requirement\(s\).*--resume b_1.*agent-factory cancel b_1/);
    expect(interruptionReason('b_1', { ...hash, via: 'api' })).toMatch(/of the request's 40,000 .*POST the same body to \/api\/batches\/b_1\/resume .*DELETE \/api\/batches\/b_1/);
    expect(interruptionReason('b_1', { ...hash, via: 'sdk' })).toMatch(/of the given 40,000 .*call resumeBatch\('b_1', …\) with the same requirements/);
    expect(interruptionReason('b_1', { inputs: '5' })).toMatch(/after enqueuing 5 requirement\(s\)/);
  });
});

describe('a submit that lives', () => {
  it('keeps its batch from being interrupted however long it enqueues (the lease is renewed)', async () => {
    const prefix = testPrefix();
    const lease = 1000;
    const big = join(dir, 'big.jsonl');
    const lines = 400_000;
    const repeats = 1000;
    await writeFile(big, requirementsFile(lines, () => '', repeats));
    const conn = await open(prefix);
    try {
      // A worker sweeps for dead producers meanwhile, and this test reads through getBatch, which notices them too.
      await startWorker(prefix, { AF_SUBMIT_LEASE_MS: String(lease) });
      const submit = startSubmit([big, '--json'], envFor(prefix, { AF_SUBMIT_LEASE_MS: String(lease) }));
      const { id } = await whenEnqueued(conn, submit, 0);
      const started = Date.now();
      const states = new Set<string>();
      let exited = false;
      let exitedAfter = 0;
      void submit.exited.then(() => {
        exited = true;
        exitedAfter = Date.now() - started;
      });
      let sealedAfter: number | undefined;
      // The lease key's remaining time going back up is a renewal seen.
      let renewals = 0;
      let lastTtl = Infinity;
      while (!exited) {
        const status = await getBatch(conn, id);
        if (status) states.add(status.state);
        const ttl = await conn.redis.pttl(batchKeys(prefix, id).lease);
        if (ttl > 0 && ttl > lastTtl + 50) renewals++;
        if (ttl > 0) lastTtl = ttl;
        if (sealedAfter === undefined && (await conn.redis.hexists(batchKeys(prefix, id).batch, 'open')) === 0) sealedAfter = Date.now() - started;
        await sleep(50);
      }
      const { code } = await submit.exited;
      expect(code, submit.output().stderr).toBe(0);
      // Sealed before it exited: when no sample fell between the two, the exit bounds it.
      sealedAfter ??= exitedAfter;
      console.log(`resume: a live submit enqueued ${lines} inputs in ${sealedAfter} ms with a ${lease} ms lease, ${renewals} renewals seen; states seen: ${[...states].join(', ')}`);
      // Long enough to need renewals (without them the lease would have run out), and renewed several times.
      expect(sealedAfter).toBeGreaterThan(1.5 * lease);
      expect(renewals).toBeGreaterThanOrEqual(3);
      expect(states.has('interrupted')).toBe(false);
      const final = await waitForBatch(conn, id, 120_000);
      expect(final).toMatchObject({ state: 'completed', inputs: lines, total: lines / repeats, counts: { completed: lines / repeats, failed: 0 } });
      expect(final.reason).toBeUndefined();
    } finally {
      await conn.close();
    }
  }, 180_000);
});

describe('a submit stopped with Ctrl-C, and what --resume refuses', () => {
  it('marks the batch interrupted at once, refuses a different file and overridden settings, and cancels cleanly', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    try {
      const submit = startSubmit([file], envFor(prefix));
      const { id } = await whenEnqueued(conn, submit, KILL_AFTER);
      submit.child.kill('SIGINT');
      const { code } = await submit.exited;
      expect(code).toBe(130);
      expect(submit.output().stderr).toMatch(/submit stopped after enqueuing [\d,]+ of the file's 40,000 requirement\(s\): its producer was stopped/);
      // No wait for the lease: the producer said so itself.
      const raw = await conn.redis.hmget(batchKeys(prefix, id).batch, 'state', 'interruptCause');
      expect(raw).toEqual(['interrupted', 'signal']);
      const before = await statusJson(prefix, id);
      expect(before.state).toBe('interrupted');

      // Another file (line 1's requirement differs): refused, and the batch is left exactly as it was.
      const other = join(dir, 'other.jsonl');
      await writeFile(other, requirementsFile(LINES, (i) => (i === 0 ? ' (edited)' : '')));
      const wrong = await runCli(['submit', other, '--resume', id], { env: envFor(prefix) });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/requirement 1 of the input \(id "r0"\) is not the one batch \S+ enqueued under that id; resume with the very requirements/);
      const shorter = join(dir, 'shorter.jsonl');
      await writeFile(shorter, requirementsFile(KILL_AFTER - 1));
      const short = await runCli(['submit', shorter, '--resume', id], { env: envFor(prefix) });
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(new RegExp(`the input has ${KILL_AFTER - 1} requirement\\(s\\) but batch ${id} already holds ${before.inputs}`));
      const overridden = await runCli(['submit', file, '--resume', id, '--priority', '1'], { env: envFor(prefix) });
      expect(overridden.code).toBe(2);
      expect(overridden.stderr).toMatch(/drop --priority/);
      const unknown = await runCli(['submit', file, '--resume', 'b_nope'], { env: envFor(prefix) });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/no batch b_nope/);
      const after = await statusJson(prefix, id);
      expect(after).toMatchObject({ state: 'interrupted', inputs: before.inputs, total: before.total, counts: before.counts });

      // Cancel: the enqueued part stops and the batch finishes (nothing is left open).
      const cancel = await runCli(['cancel', id], { env: envFor(prefix) });
      expect(cancel.code).toBe(0);
      expect(cancel.stdout).toMatch(new RegExp(`cancelled batch ${id}: ${before.total} requirement\\(s\\) stopped`));
      const cancelled = await statusJson(prefix, id);
      expect(cancelled).toMatchObject({ state: 'cancelled', counts: { pending: 0, cancelled: before.total } });
      expect(cancelled.finishedAt).toBeDefined();
      const refused = await runCli(['submit', file, '--resume', id], { env: envFor(prefix) });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/was cancelled; submit the file again as a new batch/);
    } finally {
      await conn.close();
    }
  }, 120_000);
});

describe('a submit Redis refuses part way (it reached maxmemory)', () => {
  it('leaves the batch interrupted (not sealed short, not half-cancelled), says what is full and how to go on; status warns; --resume finishes it once there is room', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    try {
      const submit = startSubmit([file], envFor(prefix));
      const { id } = await whenEnqueued(conn, submit, KILL_AFTER);
      // Below what Redis holds: every write that needs memory is refused from now on.
      await limitMemory(conn.redis, -512 * 1024);
      const { code } = await submit.exited;
      const { stderr } = submit.output();
      expect(code, stderr).toBe(1);
      expect(stderr).not.toContain('OOM command not allowed');
      expect(stderr).toMatch(/^agent-factory: Redis is full \([\d.]+ MB of maxmemory [\d.]+ MB\): with noeviction it refuses every write, so batches stop until there is room; raise maxmemory, /m);

      // Interrupted by the producer itself, at once (no wait for its lease): resumable, with what it enqueued kept.
      const hash = await conn.redis.hgetall(batchKeys(prefix, id).batch);
      expect(hash).toMatchObject({ state: 'interrupted', interruptCause: 'full' });
      expect(hash['open']).toBeUndefined();
      expect(await conn.redis.exists(batchKeys(prefix, id).lease)).toBe(0);
      const enqueued = Number(hash['inputs']);
      expect(enqueued).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(enqueued).toBeLessThan(LINES);
      expect(await conn.redis.llen(batchKeys(prefix, id).ids)).toBe(enqueued);
      expect(stderr).toContain(
        `batch ${id} is interrupted: submit stopped after enqueuing ${enqueued.toLocaleString('en-US')} of the file's ${LINES.toLocaleString('en-US')} requirement(s): ` +
          'Redis was full (at its maxmemory) and refused its writes; make room before you go on',
      );
      expect(stderr).toContain(`To finish the batch, submit the same file again with --resume ${id} (agent-factory submit FILE --resume ${id}); or cancel it (agent-factory cancel ${id})`);

      // status says why nothing moves, under the table and under one batch's view, on stderr.
      const fullWarning = /^agent-factory: warning: Redis is full \([\d.]+ MB of maxmemory [\d.]+ MB\): with noeviction it refuses every write/m;
      const table = await runCli(['status'], { env: envFor(prefix) });
      expect(table.code, table.stderr).toBe(0);
      expect(table.stderr).toMatch(fullWarning);
      expect(table.stdout).toMatch(new RegExp(`${id}\\s+requirements\\.jsonl\\s+default\\s+interrupted`));
      const one = await runCli(['status', id, '--json'], { env: envFor(prefix) });
      expect(one.stderr).toMatch(fullWarning);
      expect(JSON.parse(one.stdout)).toMatchObject({ state: 'interrupted', inputs: enqueued });

      // A resume before there is room changes nothing, and says why.
      const early = await runCli(['submit', file, '--resume', id], { env: envFor(prefix) });
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(new RegExp(`^agent-factory: the rest of batch ${id} \\(${(LINES - enqueued).toLocaleString('en-US')} more requirement\\(s\\)\\) needs about .* but Redis has 0\\.0 MB free under maxmemory .*, so nothing more was enqueued and the batch stays interrupted\\. To make room: `, 'm'));
      expect(early.stderr).not.toContain('OOM command not allowed');
      expect(await conn.redis.hmget(batchKeys(prefix, id).batch, 'state', 'inputs')).toEqual(['interrupted', String(enqueued)]);

      // Room again: status is quiet, and the resume finishes the batch exactly once.
      await conn.redis.config('SET', 'maxmemory', '0');
      expect((await runCli(['status', id], { env: envFor(prefix) })).stderr).not.toContain('Redis is full');
      await startWorker(prefix);
      const resumed = await runCli(['submit', file, '--resume', id, '--wait', '--json'], { env: envFor(prefix) });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ id, state: 'completed', inputs: LINES, total: LINES / REPEATS });
      await expectAnsweredOnce(conn, id, LINES);
      expect(await conn.redis.zcard(`${prefix}:submitting`)).toBe(0);
    } finally {
      await conn.redis.config('SET', 'maxmemory', '0');
      await conn.close();
    }
  }, 180_000);

  it('--resume refuses up front, with the figures, a rest of the file that will not fit Redis; the batch stays interrupted and resumes once there is room', async () => {
    const prefix = testPrefix();
    const conn = await open(prefix);
    const distinct = join(dir, 'distinct.jsonl');
    await writeFile(distinct, requirementsFile(4000, () => '', 1));
    try {
      const submit = startSubmit([distinct], envFor(prefix));
      const { id } = await whenEnqueued(conn, submit, 1000);
      submit.child.kill('SIGKILL');
      await submit.exited;
      const keys = batchKeys(prefix, id);
      const held = Number(await conn.redis.hget(keys.batch, 'inputs'));
      expect(held).toBeLessThan(4000);
      await sleep(LEASE_MS + 500);

      // About 5 KB for each of the rest's 2,000-odd new requirements, against 2 MB free.
      await limitMemory(conn.redis, 2 * 2 ** 20);
      const rest = (4000 - held).toLocaleString('en-US');
      const refused = await runCli(['submit', distinct, '--resume', id], { env: envFor(prefix) });
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^agent-factory: the rest of batch ${id} \\(${rest} more requirement\\(s\\)\\) needs about [\\d.]+ MB in Redis while it is queued and once it is finished \\(${rest} distinct requirement\\(s\\) at about 5 KB each\\) ` +
            'but Redis has [\\d.]+ MB free under maxmemory [\\d.]+ MB, so nothing more was enqueued and the batch stays interrupted\\. To make room: raise maxmemory',
          'm',
        ),
      );
      expect(await conn.redis.llen(keys.ids)).toBe(held);
      expect(await conn.redis.hget(keys.batch, 'inputs')).toBe(String(held));
      expect(await statusJson(prefix, id)).toMatchObject({ state: 'interrupted', inputs: held });

      await conn.redis.config('SET', 'maxmemory', '0');
      const resumed = await runCli(['submit', distinct, '--resume', id, '--json'], { env: envFor(prefix) });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ id, state: 'running', inputs: 4000, total: 4000 });
    } finally {
      await conn.redis.config('SET', 'maxmemory', '0');
      await conn.close();
    }
  }, 120_000);
});
