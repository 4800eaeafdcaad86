import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, submitBatch } from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitForBatch, WaitStoppedError } from '../apps/cli/src/batch-progress.js';
import { CLI, runCli, testEnv } from './helpers/cli.js';
import { limitMemory } from './helpers/maxmemory.js';
import { redisPerFile } from './helpers/redis-file.js';
import { testPrefix } from './helpers/redis.js';

// The CLI runs from dist: `npx tsc -b` (or `npm test`) first.

// AOF on, as a user's Redis should be: the CLI warns on stderr about one without.
const db = redisPerFile({ appendonly: true });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'af-submit-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function envFor(prefix: string): NodeJS.ProcessEnv {
  return { REDIS_URL: db.redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'offline', AF_RESEARCH: 'local', LOG_LEVEL: 'error' };
}

/** Every key under the prefix, batches and BullMQ's queues alike (raw SCAN, not the factory's API). */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await db.client.scan(cursor, 'COUNT', 1000);
    keys.push(...batch.filter((k) => k.includes(prefix)));
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

const jsonl = (...records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('submit: bad input', () => {
  it('exits 2, names the bad lines, and enqueues nothing', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, jsonl({ id: 'a', requirement: 'Review Terraform plans for public S3 buckets.' }, { requirement: '' }, { requirement: 'ok', tier: 'huge' }, { id: 'a', requirement: 'dup' }));
    const run = await runCli(['submit', path], { env: envFor(prefix) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:2: the requirement is empty`);
    expect(run.stderr).toContain(`${path}:3: tier must be simple, standard or complex`);
    expect(run.stderr).toContain(`${path}:4: duplicate id "a" (first on line 1)`);
    expect(run.stderr).toMatch(/3 bad line\(s\), nothing was enqueued \(fix them, or add --skip-invalid to submit the 1 good one\(s\)\)/);
    // Nothing good at all: no hint to skip the bad ones.
    const allBad = join(dir, 'all-bad.jsonl');
    await writeFile(allBad, jsonl({ requirement: '' }, { requirement: 5 }));
    expect((await runCli(['submit', allBad], { env: envFor(prefix) })).stderr).toContain(`${allBad}: 2 bad line(s), nothing was enqueued (no line is good)`);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('refuses ids with control characters, and prints no control character of the input', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'controls.jsonl');
    await writeFile(path, jsonl({ id: '\u001b[31mred', requirement: 'Review Terraform plans.' }, { requirement: 'Audit React hooks.', '\u001b[2Jtier': 'simple' }));
    const run = await runCli(['submit', path, '--skip-invalid'], { env: envFor(prefix) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:1: id must not contain control characters (such as ESC or a line break)`);
    expect(run.stderr).toContain(`${path}:2: unknown field "\\u001b[2Jtier"`);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('says once on stderr which CSV columns it ignores (--json stays JSON), and refuses a misspelt one even with --skip-invalid', async () => {
    const prefix = testPrefix();
    const typo = join(dir, 'typo.csv');
    await writeFile(typo, 'id,requirement,teir\na,Review Terraform plans.,simple\n');
    const refused = await runCli(['submit', typo, '--skip-invalid'], { env: envFor(prefix) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${typo}:1: column "teir" looks like a misspelt "tier": fix the header`);
    expect(await keysUnder(prefix)).toEqual([]);

    const notes = join(dir, 'notes.csv');
    await writeFile(notes, 'id,requirement,notes\na,Review Terraform plans.,ask Sam\n');
    const run = await runCli(['submit', notes, '--json'], { env: envFor(prefix) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(`${notes}: ignoring column(s) "notes": submit reads only requirement, id, tier, model, tenant\n`);
    expect(JSON.parse(run.stdout)).toMatchObject({ inputs: 1 });
  });

  it('refuses a CSV without a requirement column even with --skip-invalid', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'nocol.csv');
    await writeFile(path, 'id,text\na,Review plans\n');
    const run = await runCli(['submit', path, '--skip-invalid'], { env: envFor(prefix) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no "requirement" column (columns found: "id", "text")');
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('refuses a JSON array (exit 2), saying how to make JSONL of it; --format text reads its lines', async () => {
    const prefix = testPrefix();
    const array = JSON.stringify([{ id: 'a', requirement: 'Review Terraform plans.' }, { id: 'b', requirement: 'Audit React hooks.' }], null, 2);
    const path = join(dir, 'reqs.json');
    await writeFile(path, array);
    const pretty = await runCli(['submit', path], { env: envFor(prefix) });
    expect(pretty.code).toBe(2);
    expect(pretty.stderr).toBe(`agent-factory: ${path} is a JSON array; submit reads JSONL, one JSON object a line: convert it with jq -c '.[]' ${path} > ${join(dir, 'reqs.jsonl')} (POST /api/batches takes the array as it is)\n`);
    const piped = await runCli(['submit', '-'], { env: envFor(prefix), input: JSON.stringify(JSON.parse(array)) });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toMatch(/^agent-factory: stdin is a JSON array; /);
    expect(await keysUnder(prefix)).toEqual([]);
    const asText = await runCli(['submit', path, '--format', 'text', '--json'], { env: envFor(prefix) });
    expect(asText.code, asText.stderr).toBe(0);
    expect(JSON.parse(asText.stdout)).toMatchObject({ inputs: array.split('\n').length });
  });

  it('refuses a UTF-16 file as a whole (exit 2), saying to save it as UTF-8', async () => {
    const prefix = testPrefix();
    const unicode = join(dir, 'unicode.txt');
    await writeFile(unicode, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Review Terraform plans.\nAudit React hooks.\n', 'utf16le')]));
    const utf16 = await runCli(['submit', unicode, '--skip-invalid'], { env: envFor(prefix) });
    expect(utf16.code).toBe(2);
    expect(utf16.stderr).toMatch(/^agent-factory: .*unicode\.txt is UTF-16 .*save it as UTF-8, e\.g\. iconv -f UTF-16 -t UTF-8 /);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('refuses empty input and a bad --priority before touching Redis', async () => {
    const prefix = testPrefix();
    expect((await runCli(['submit', '-'], { env: envFor(prefix), input: '\n\n' })).code).toBe(2);
    const path = join(dir, 'one.txt');
    await writeFile(path, 'Review plans\n');
    const run = await runCli(['submit', path, '--priority', '0'], { env: envFor(prefix) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--priority/);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('refuses bad --name, --tenant, --idempotency-key and an --out it cannot write, in one line, before enqueuing (exit 2)', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'flags.txt');
    await writeFile(path, 'Review Terraform plans.\n');
    const cases: [string[], string][] = [
      [['--name', ''], '--name must not be empty'],
      [['--tenant', 'x'.repeat(300)], '--tenant must be at most 100 characters'],
      [['--name', 'red \u001b[31mname'], '--name must not contain control characters (such as ESC or a line break)'],
      [['--tenant', 'two\nlines'], '--tenant must not contain control characters (such as ESC or a line break)'],
      [['--idempotency-key', 'has spaces'], '--idempotency-key must be printable ASCII without spaces'],
      [['--out', join(path, 'sub')], `--out ${join(path, 'sub')}: cannot write there (a file is in the way)`],
      [['--layout', 'plugin'], '--layout shapes the folder --out writes: add --out DIR (or collect later: agent-factory results BATCH --out DIR --layout plugin)'],
    ];
    for (const [flags, message] of cases) {
      const run = await runCli(['submit', path, ...flags], { env: envFor(prefix) });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toBe(`agent-factory: ${message}\n`);
    }
    expect(await keysUnder(prefix)).toEqual([]);
  });
});

describe('submit, status, results, cancel (no worker)', () => {
  it('--skip-invalid enqueues only the good lines; cancel stops them', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'mixed.jsonl');
    await writeFile(path, jsonl({ id: 'g1', requirement: 'Review Terraform plans.' }, { requirement: 5 }, { requirement: 'Audit React hooks.' }, {}));
    const run = await runCli(['submit', path, '--skip-invalid', '--json', '--name', 'mixed', '--tenant', 'acme'], { env: envFor(prefix) });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipping 2 bad line\(s\)/);
    const status = JSON.parse(run.stdout) as { id: string; name: string; tenant: string; inputs: number; total: number; state: string };
    expect(status).toMatchObject({ name: 'mixed', tenant: 'acme', inputs: 2, total: 2, state: 'running' });

    const shown = await runCli(['status', status.id, '--json'], { env: envFor(prefix) });
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: status.id, inputs: 2, skipped: 2, counts: { pending: 2 } });
    // The batch remembers what was left out, after that run's stderr is gone.
    expect((await runCli(['status', status.id], { env: envFor(prefix) })).stdout).toMatch(/^inputs    2 ids, 2 distinct requirements; 2 bad line\(s\) left out \(--skip-invalid\)$/m);
    const list = await runCli(['status'], { env: envFor(prefix) });
    expect(list.stdout).toMatch(new RegExp(`${status.id}\\s+mixed\\s+acme\\s+running`));
    // The listing says which of how many it shows, and --offset pages past them.
    const count = /^batches 1–(\d+) of (\d+), newest first/m.exec(list.stdout);
    expect(count?.[1]).toBe(count?.[2]);
    const past = await runCli(['status', '--offset', count![2]!], { env: envFor(prefix) });
    expect(past.stdout).toBe(`no batches past the newest ${count![2]} (${count![2]} in all)\n`);

    const out = join(dir, 'pending-out');
    const results = await runCli(['results', status.id, '--out', out], { env: envFor(prefix) });
    expect(results.code).toBe(0);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { state?: string }>;
    expect(Object.keys(index)).toEqual(['g1', 'line-3']);
    expect(index['g1']?.state).toBe('pending');

    const blocked = await runCli(['results', status.id, '--out', path], { env: envFor(prefix) });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toBe(`agent-factory: --out ${path}: cannot write there (a file is in the way)\n`);

    // --delete waits for a finished batch, and writes nothing when it refuses.
    const early = await runCli(['results', status.id, '--out', join(dir, 'early-out'), '--delete'], { env: envFor(prefix) });
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(new RegExp(`--delete needs a finished batch: ${status.id} is running with 2 requirement\\(s\\) pending`));
    expect(existsSync(join(dir, 'early-out'))).toBe(false);

    const cancel = await runCli(['cancel', status.id], { env: envFor(prefix) });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancelled batch .*: 2 requirement\(s\) stopped/);
    // Cancelled items are not done: a batch cancelled before any work shows 0%, here and in the listing.
    expect((await runCli(['status', status.id], { env: envFor(prefix) })).stdout).toMatch(/^state     cancelled, 0\.0% done$/m);
    expect((await runCli(['status'], { env: envFor(prefix) })).stdout).toMatch(new RegExp(`^${status.id}\\s+mixed\\s+acme\\s+cancelled\\s+0%\\s+0\\s+2\\s+2\\s`, 'm'));
    const after = JSON.parse((await runCli(['status', status.id, '--json'], { env: envFor(prefix) })).stdout) as { state: string; counts: { cancelled: number } };
    expect(after).toMatchObject({ state: 'cancelled', counts: { cancelled: 2 } });
    expect((await runCli(['cancel', status.id], { env: envFor(prefix) })).stdout).toMatch(/already cancelled/);

    // A folder in index.json's way is refused before anything is written, and --delete then deletes nothing.
    await mkdir(join(dir, 'blocked-out', 'index.json'), { recursive: true });
    const inTheWay = await runCli(['results', status.id, '--out', join(dir, 'blocked-out'), '--delete'], { env: envFor(prefix) });
    expect(inTheWay.code).toBe(1);
    expect(inTheWay.stderr).toBe(`agent-factory: ${join(dir, 'blocked-out', 'index.json')} is a folder: move it away to write the results there\n`);
    expect(await readdir(join(dir, 'blocked-out'))).toEqual(['index.json']);
    expect((await runCli(['status', status.id], { env: envFor(prefix) })).code).toBe(0);

    // Collected with --delete: index.json written, then the batch and its results leave Redis.
    const collected = await runCli(['results', status.id, '--out', join(dir, 'collected-out'), '--delete'], { env: envFor(prefix) });
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stdout).toContain(`batch ${status.id} and its results deleted from Redis`);
    expect(Object.keys(JSON.parse(await readFile(join(dir, 'collected-out', 'index.json'), 'utf8')) as object)).toEqual(['g1', 'line-3']);
    expect((await runCli(['status', status.id], { env: envFor(prefix) })).stderr).toMatch(/no batch/);
    expect((await keysUnder(prefix)).filter((k) => k.includes(status.id))).toEqual([]);
    expect(await db.client.zscore(`${prefix}:batches`, status.id)).toBeNull();
  });

  it('results and submit --out refuse an index.json that is not the batch\'s (another batch\'s, or the user\'s), before writing anything (exit 2)', async () => {
    const prefix = testPrefix();
    const submit = async (requirement: string): Promise<string> => (JSON.parse((await runCli(['submit', '-', '--json'], { env: envFor(prefix), input: `${requirement}\n` })).stdout) as { id: string }).id;
    const [first, second] = [await submit('Review Go services for goroutine leaks.'), await submit('Audit Kubernetes RBAC roles for wildcards.')];
    const out = join(dir, 'taken-out');
    expect((await runCli(['results', first, '--out', out], { env: envFor(prefix) })).code).toBe(0);
    const indexText = await readFile(join(out, 'index.json'), 'utf8');
    // Each entry names its batch: the index says whose it is.
    expect(Object.values(JSON.parse(indexText) as Record<string, unknown>)).toEqual([expect.objectContaining({ batch: first, state: 'pending' })]);

    // Replaced, the first batch's agent files would be listed in no index.
    const intoTaken = await runCli(['results', second, '--out', out], { env: envFor(prefix) });
    expect([intoTaken.code, intoTaken.stderr]).toEqual([2, `agent-factory: ${join(out, 'index.json')} holds the results of batch ${first}; writing batch ${second}'s index there would replace it: write to another --out folder, or move that index.json away first\n`]);
    // submit --out says so before it submits, not once the batch is done.
    const submitInto = await runCli(['submit', '-', '--out', out], { env: envFor(prefix), input: 'Document the billing REST API.\n' });
    expect([submitInto.code, submitInto.stderr]).toEqual([2, `agent-factory: ${join(out, 'index.json')} holds the results of batch ${first}; writing this batch's index there would replace it: write to another --out folder, or move that index.json away first\n`]);
    expect(await readFile(join(out, 'index.json'), 'utf8')).toBe(indexText);
    // The same batch again is fine.
    expect((await runCli(['results', first, '--out', out], { env: envFor(prefix) })).code).toBe(0);

    // A file of the user's named index.json stays as it is.
    const mine = join(dir, 'mine-out');
    await mkdir(mine, { recursive: true });
    await writeFile(join(mine, 'index.json'), '{"mine":1}\n');
    const intoMine = await runCli(['results', first, '--out', mine], { env: envFor(prefix) });
    expect([intoMine.code, intoMine.stderr]).toEqual([2, `agent-factory: ${join(mine, 'index.json')} is not an index agent-factory wrote (its entries are not agent files or failures); writing batch ${first}'s index there would replace it: write to another --out folder, or move that index.json away first\n`]);
    expect(await readFile(join(mine, 'index.json'), 'utf8')).toBe('{"mine":1}\n');
    expect(await readdir(mine)).toEqual(['index.json']);
  }, 60_000);

  it('--wait with no worker says so; Ctrl-C then stops the wait, not the batch: exit 130 and how to follow it', async () => {
    const prefix = testPrefix();
    const child = spawn(process.execPath, [CLI, 'submit', '-', '--wait'], { env: testEnv(envFor(prefix)), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end('Review Terraform plans.\nAudit React hooks.\n');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // No worker runs: once the batch is announced, the process is waiting for it.
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Nothing moves for a while: it says that no worker is running, and how to start one.
    const hinted = Date.now() + 20_000;
    while (!/no worker is running/.test(stderr) && Date.now() < hinted) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toMatch(/^agent-factory: no worker is running: batch \S+ waits; start one with `REDIS_URL=… npx agent-factory worker`$/m);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/stopped waiting; batch (\S+) goes on: agent-factory status \1/);
    const batchId = /stopped waiting; batch (\S+) goes on/.exec(stderr)![1]!;
    expect(stdout).toContain(batchId);
    const after = JSON.parse((await runCli(['status', batchId, '--json'], { env: envFor(prefix) })).stdout) as { state: string; counts: { pending: number } };
    expect(after).toMatchObject({ state: 'running', counts: { pending: 2 } });
  }, 40_000);

  it('--idempotency-key: the same file again is a replay that says so; another file with the key is refused (exit 2)', async () => {
    const prefix = testPrefix();
    const first = join(dir, 'idem-a.txt');
    const second = join(dir, 'idem-b.txt');
    await writeFile(first, 'Review Terraform plans.\nAudit React hooks.\n');
    await writeFile(second, 'Write release notes from merged pull requests.\n');
    const created = await runCli(['submit', first, '--idempotency-key', 'nightly-1', '--json'], { env: envFor(prefix) });
    expect(created.code, created.stderr).toBe(0);
    const batch = JSON.parse(created.stdout) as { id: string };
    const replay = await runCli(['submit', first, '--idempotency-key', 'nightly-1'], { env: envFor(prefix) });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`batch ${batch.id}: submitted before with this idempotency key; nothing new enqueued (2 requirement(s), 2 distinct, running)`);
    const reused = await runCli(['submit', second, '--idempotency-key', 'nightly-1'], { env: envFor(prefix) });
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain(`--idempotency-key: idempotency key nightly-1 names batch ${batch.id}, submitted with other requirements or settings`);
    const batches = JSON.parse((await runCli(['status', '--json'], { env: envFor(prefix) })).stdout) as unknown[];
    expect(batches).toHaveLength(1);
  });

  it('--wait in a log (no terminal) writes a progress line now and then', async () => {
    const conn = await connect({ redisUrl: db.redis.url, prefix: testPrefix() });
    const batch = await submitBatch(conn, [{ id: 'a', requirement: 'Review Terraform plans.' }]);
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      // No worker: it waits until stopped, writing its line every 400 ms here (every 30 s by default).
      await expect(waitForBatch(conn, batch.id, 'lines', AbortSignal.timeout(1800), 400)).rejects.toBeInstanceOf(WaitStoppedError);
    } finally {
      write.mockRestore();
      await conn.close();
    }
    expect(lines.filter((l) => l === `agent-factory: batch ${batch.id}: 0/1 done, 0 failed, 0.0/s, ETA –\n`).length).toBeGreaterThanOrEqual(1);
  });

  it('reads stdin, and says so clearly for an unknown batch', async () => {
    const prefix = testPrefix();
    const run = await runCli(['submit', '-', '--json'], { env: envFor(prefix), input: 'Review Terraform plans.\n\nAudit React hooks.\n' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'stdin', inputs: 2 });
    for (const args of [['status', 'b_nope'], ['results', 'b_nope', '--out', join(dir, 'nope')], ['cancel', 'b_nope']]) {
      const missing = await runCli(args, { env: envFor(prefix) });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no batch b_nope/);
    }
  });
});

function startWorker(prefix: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker'], { env: testEnv(envFor(prefix)), stdio: 'ignore' });
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
}

describe('end to end with a worker process', () => {
  it('submit --wait --out writes every agent; identical requirements share one file; status, results, cancel', async () => {
    const prefix = testPrefix();
    const worker = startWorker(prefix);
    try {
      const path = join(dir, 'e2e.csv');
      const same = 'Review Terraform plans for public S3 buckets and overly broad IAM policies.';
      await writeFile(path, `id,requirement,tier\nt1,"${same}",\nt2,"${same}",\nc1,Write concise conventional commit messages from the staged git diff.,simple\n`);
      const out = join(dir, 'e2e-out');
      const run = await runCli(['submit', path, '--wait', '--out', out, '--json'], { env: envFor(prefix) });
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.code).toBe(0);
      const status = JSON.parse(run.stdout) as { id: string; state: string; inputs: number; total: number; counts: Record<string, number> };
      expect(status).toMatchObject({ state: 'completed', inputs: 3, total: 2, counts: { completed: 2, failed: 0, pending: 0 } });

      const files = (await readdir(out)).sort();
      expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(2);
      const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { file: string; name: string; passed: boolean; gates: Record<string, number>; tier: string; tokens: number; timings: Record<string, number> }>;
      expect(Object.keys(index)).toEqual(['t1', 't2', 'c1']);
      expect(index['t1']?.file).toBe(index['t2']?.file);
      expect(index['c1']?.file).not.toBe(index['t1']?.file);
      for (const entry of Object.values(index)) {
        expect(entry).toMatchObject({ passed: true, tier: expect.any(String), tokens: expect.any(Number) });
        expect(Object.keys(entry.gates)).toHaveLength(4);
        expect(existsSync(join(out, entry.file))).toBe(true);
        expect(await readFile(join(out, entry.file), 'utf8')).toMatch(new RegExp(`^---\\nname: ${entry.name}\\n`));
      }
      expect(index['c1']?.tier).toBe('simple');

      const shown = await runCli(['status', status.id], { env: envFor(prefix) });
      expect(shown.stdout).toMatch(/state\s+completed, 100\.0% done/);

      // `results` again into a fresh folder: the same mapping; into the same folder: the same files
      // (no copies), and a file the user edited is kept as it is, its agent written beside it.
      const again = join(dir, 'e2e-again');
      const results = await runCli(['results', status.id, '--out', again, '--json'], { env: envFor(prefix) });
      expect(results.code).toBe(0);
      expect(JSON.parse(results.stdout)).toMatchObject({ results: { inputs: 3, files: 2, completed: 3 } });
      const againIndex = JSON.parse(await readFile(join(again, 'index.json'), 'utf8')) as Record<string, { file: string }>;
      expect(againIndex['t1']?.file).toBe(index['t1']?.file);
      await runCli(['results', status.id, '--out', out], { env: envFor(prefix) });
      expect((await readdir(out)).filter((f) => f.endsWith('.md'))).toHaveLength(2);
      expect(JSON.parse(await readFile(join(out, 'index.json'), 'utf8'))).toEqual(index);
      const edited = join(out, index['c1']!.file);
      await writeFile(edited, `${await readFile(edited, 'utf8')}\nMy own note.\n`);
      await runCli(['results', status.id, '--out', out], { env: envFor(prefix) });
      expect((await readdir(out)).filter((f) => f.endsWith('.md'))).toHaveLength(3);
      expect(await readFile(edited, 'utf8')).toMatch(/My own note\.\n$/);
      const reindexed = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { file: string }>;
      expect(reindexed['t1']?.file).toBe(index['t1']?.file);
      expect(reindexed['c1']?.file).toBe(index['c1']!.file.replace(/\.md$/, '-2.md'));

      const cancel = await runCli(['cancel', status.id], { env: envFor(prefix) });
      expect(cancel.code).toBe(0);
      expect(cancel.stdout).toMatch(/already completed; nothing to cancel/);

      // Collected with --delete: the batch, its results and its metrics aggregate leave Redis (BullMQ's
      // completed stage jobs stay for Bull Board, bounded by AF_KEEP_COMPLETED).
      const factoryKeys = async (): Promise<string[]> => (await keysUnder(prefix)).filter((k) => k.includes(status.id) && !/:(analyze|research|generate|validate):/.test(k));
      expect((await factoryKeys()).length).toBeGreaterThanOrEqual(4);
      const collected = await runCli(['results', status.id, '--out', join(dir, 'e2e-collected'), '--delete', '--json'], { env: envFor(prefix) });
      expect(collected.code, collected.stderr).toBe(0);
      expect(JSON.parse(collected.stdout)).toMatchObject({ results: { inputs: 3, files: 2 }, deleted: true });
      expect(await factoryKeys()).toEqual([]);
    } finally {
      await stopWorker(worker);
    }
  }, 60_000);
});

describe('submit: a batch Redis has no room for', () => {
  /** `lines` inputs holding `distinct` different requirements. */
  const requirements = (lines: number, distinct: number): string =>
    jsonl(...Array.from({ length: lines }, (_, i) => ({ id: `r${i}`, requirement: `Review Terraform plans for public S3 buckets in stack ${i % distinct} and report findings.` })));

  it('is refused before anything is enqueued, with the figures and what frees room (exit 1); repeats are counted once', async () => {
    const prefix = testPrefix();
    const path = join(dir, 'no-room.jsonl');
    await writeFile(path, requirements(1000, 1000));
    await limitMemory(db.client, 2 * 2 ** 20);
    try {
      const run = await runCli(['submit', path], { env: envFor(prefix) });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /^agent-factory: this batch needs about 4\.9 MB in Redis while it is queued and once it is finished \(1,000 distinct requirement\(s\) at about 5 KB each\) but Redis has [12]\.\d MB free under maxmemory \d+\.\d MB, so nothing was enqueued\. To make room: raise maxmemory, or keep less: collect batches with `results --delete`, shorten AF_RETENTION_SECONDS or AF_AGENTS_TTL, `cache clear agents`$/m,
      );
      // BullMQ's queue metadata is written on connecting; no batch, item or job.
      expect((await keysUnder(prefix)).filter((k) => !k.endsWith(':meta'))).toEqual([]);

      // As many lines, ten requirements: the batch stores and runs each once, and fits.
      const repeats = join(dir, 'repeats.jsonl');
      await writeFile(repeats, requirements(1000, 10));
      const fits = await runCli(['submit', repeats, '--json'], { env: envFor(prefix) });
      expect(fits.code, fits.stderr).toBe(0);
      expect(JSON.parse(fits.stdout)).toMatchObject({ inputs: 1000, total: 10 });
    } finally {
      await db.client.config('SET', 'maxmemory', '0');
    }
  });
});
