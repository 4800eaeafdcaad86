import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.js';
import { mapLimit } from '../helpers/concurrency.js';
import { sleep, spawnWorker, type WorkerProcess } from '../helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { agentFileProblems, walkFiles } from './agent-files.js';
import { injections, pwnedPath, type Injection } from './injections.js';

// The CLI runs from dist: `npx tsc -b` first (`npm run test:abuse` does).

/** `generate` is one process per requirement (a CPU-second or more each): the ones aimed at names and the frontmatter. */
const THROUGH_GENERATE = ['../../etc/passwd', 'absolute-path', 'frontmatter-dashes'];

describe('abuse: prompt injection through the requirement', () => {
  let sandbox: string;
  let cwd: string;
  let redis: TestRedis;
  let worker: WorkerProcess | undefined;
  let pwned: string;
  let cases: Injection[];
  const outs = { start: '', queue: '', generate: '' };
  /** Which requirement each written file came from and the folder it was written to, by path. */
  const written = new Map<string, { injection: Injection; out: string }>();
  const env = (): NodeJS.ProcessEnv => ({ AF_PROVIDER: 'offline', AF_RESEARCH: 'local', LOG_LEVEL: 'error' });

  beforeAll(async () => {
    // Deep enough that `../../..` from an output folder still lands inside the sandbox, where the walk sees it.
    sandbox = await mkdtemp(join(tmpdir(), 'af-abuse-inject-'));
    cwd = join(sandbox, 'a', 'b', 'c', 'work');
    await mkdir(cwd, { recursive: true });
    for (const key of Object.keys(outs) as (keyof typeof outs)[]) outs[key] = join(cwd, `out-${key}`);
    pwned = pwnedPath(sandbox);
    cases = injections(pwned);
    await writeFile(join(sandbox, 'injections.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
    redis = await startRedis({ appendonly: false });
  });

  afterAll(async () => {
    // SIGTERM lets the worker finish cleanly; one that hangs is killed rather than left behind.
    if (worker) await Promise.race([worker.stop(), sleep(10_000).then(() => worker?.child.kill('SIGKILL'))]);
    await redis?.stop();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
    // Only there if the test failed: a bug wrote where a requirement told it to.
    for (const path of [pwned, `${pwned}.md`]) await rm(path, { recursive: true, force: true });
  });

  /** Maps index.json entries (input id → file) back to their requirements. */
  async function readIndex(out: string): Promise<void> {
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { file?: string; error?: string }>;
    expect(Object.keys(index).sort()).toEqual(cases.map((c) => c.id).sort());
    for (const c of cases) {
      const entry = index[c.id];
      expect(entry?.error, c.id).toBeUndefined();
      expect(entry?.file, c.id).toBeDefined();
      // submit's index.json names files relative to the folder, start's by their full path.
      written.set(resolve(out, entry?.file ?? ''), { injection: c, out });
    }
  }

  it(`has at least 20 hostile requirements`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('generates them in-process (start --in-process) and through the queue (submit --wait --out, a worker process)', async () => {
    const input = join(sandbox, 'injections.jsonl');
    const prefix = testPrefix();
    // spawnWorker waits for the "worker ready" log line, so the worker keeps its info level.
    worker = await spawnWorker({ ...env(), LOG_LEVEL: 'info', REDIS_URL: redis.url, AF_PREFIX: prefix });
    // A worker that dies fails the test at once instead of leaving submit --wait waiting.
    const died = worker.exited.then((code) => Promise.reject(new Error(`the worker exited with ${code}`)));
    died.catch(() => undefined);
    const [inProcess, queued] = await Promise.race([
      Promise.all([
        runCli(['start', input, '--in-process', '--out', outs.start], { cwd, env: env() }),
        runCli(['submit', input, '--wait', '--out', outs.queue, '--json'], { cwd, env: { ...env(), REDIS_URL: redis.url, AF_PREFIX: prefix } }),
      ]),
      died,
    ]);
    // Exit 1 from start only says some agents scored under the gates' bar; the files are still written.
    expect(inProcess.code, inProcess.stderr).toBeLessThanOrEqual(1);
    expect(inProcess.stdout).toContain(`${cases.length} of ${cases.length} agents written`);
    expect(queued.code, queued.stderr).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ state: 'completed', inputs: cases.length, counts: { failed: 0 } });
    await readIndex(outs.start);
    await readIndex(outs.queue);
  }, 150_000);

  it(`generates ${THROUGH_GENERATE.length} of them one by one with \`generate --out\``, async () => {
    const runs = await mapLimit(THROUGH_GENERATE, 2, async (id): Promise<[Injection, CliRun]> => {
      const c = cases.find((x) => x.id === id) as Injection;
      return [c, await runCli(['generate', c.requirement, '--out', outs.generate, '--json'], { cwd, env: env() })];
    });
    for (const [c, run] of runs) {
      // As with start: 1 means the gates scored the agent low, not that nothing was written.
      expect(run.code, `${c.id}: ${run.stderr}`).toBeLessThanOrEqual(1);
      const { path } = JSON.parse(run.stdout) as { path: string };
      written.set(path, { injection: c, out: outs.generate });
    }
  }, 120_000);

  it('wrote every file inside its output folder, nothing anywhere else', async () => {
    const files = await walkFiles(sandbox);
    const outside = files.filter((f) => !Object.values(outs).some((out) => f.startsWith(`${out}${sep}`)) && f !== join(sandbox, 'injections.jsonl'));
    expect(outside).toEqual([]);
    const agents = files.filter((f) => !f.endsWith(`${sep}index.json`) && f !== join(sandbox, 'injections.jsonl'));
    // Every file is one the runs reported, so each has its requirement to check against.
    expect(agents.filter((f) => !written.has(f))).toEqual([]);
    expect(existsSync(pwned) || existsSync(`${pwned}.md`)).toBe(false);
  });

  it('every file: safe name, strict frontmatter with only the factory keys, tools and permissionMode within the policy', async () => {
    const problems: string[] = [];
    for (const [path, { injection, out }] of written) {
      for (const problem of await agentFileProblems(path, out, injection.requirement)) problems.push(`${injection.id} (${relative(cwd, path)}): ${problem}`);
    }
    expect(problems).toEqual([]);
    const counts = Object.entries(outs).map(([how, out]) => `${how} ${[...written.keys()].filter((p) => p.startsWith(`${out}${sep}`)).length}`);
    console.log(`abuse: ${cases.length} prompt injections, ${written.size} files written (${counts.join(', ')}), ${problems.length} problems, 0 outside the folder`);
  });

  it('`agent-factory validate` passes on every folder', async () => {
    const run = await runCli(['validate', ...Object.values(outs)], { cwd, env: env() });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  }, 60_000);
});
