/**
 * `npm run bench`: builds, runs every benchmark once, in sequence, each as its own child process
 * (`tsx bench/<name>.ts`), and rewrites BENCHMARKS.md whole from that run: the children write their
 * sections into a fresh file, and only when every one succeeded does that file, under a header with
 * the machine, the versions, the date and this run's wall times, replace BENCHMARKS.md. A failed
 * benchmark stops the run and leaves BENCHMARKS.md as it was.
 *
 * Wall time of each benchmark and the total go to stderr; the last line is `bench: N min M s total`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BARE_HEADER, BENCHMARKS_FILE } from './benchmarks-md.js';

/** In the order they run and their sections appear. */
const BENCHMARKS = ['core', 'submit', 'e2e', 'traces', 'llm', 'ratelimit', 'research', 'scale'] as const;
/** What the whole run must stay under on a 2-core machine (issue #7). */
const LIMIT_S = 600;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = fileURLToPath(import.meta.resolve('tsx/cli'));
const TSC = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));

const began = performance.now();
const since = (t: number): number => (performance.now() - t) / 1000;
const minSec = (s: number): string => `${Math.floor(Math.round(s) / 60)} min ${Math.round(s) % 60} s`;
const say = (line: string): boolean => process.stderr.write(`${line}\n`);

/** Runs `node <args>` in the repository root; its stderr (progress) shows, its stdout (the section again) does not. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ? 128 : code));
  });
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function redisVersion(): string {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return /v=(\S+)/.exec(out.stdout ?? '')?.[1] ?? '?';
}

const stamp = new Date();
const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'af-bench-all-'));
const draft = join(dir, 'BENCHMARKS.md');
writeFileSync(draft, BARE_HEADER);

const times: Array<[string, number]> = [];
let failed: string | undefined;

let t = performance.now();
const built = await run([TSC, '-b'], {});
times.push(['build (tsc -b)', since(t)]);
say(`bench: build (tsc -b) ${since(t).toFixed(0)} s`);
if (built !== 0) failed = 'build';

for (const name of BENCHMARKS) {
  if (failed) break;
  say(`bench: ${name} …`);
  t = performance.now();
  const code = await run([TSX, join('bench', `${name}.ts`)], { BENCH_MD_FILE: draft });
  const seconds = since(t);
  times.push([name, seconds]);
  say(`bench: ${name} ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s (${minSec(since(began))} so far)`);
  if (code !== 0) failed = name;
}

const total = since(began);
const perBenchmark = times.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(', ');
if (failed) {
  say(`bench: ${failed} failed; ${BENCHMARKS_FILE} left as it was (the sections written so far: ${draft})`);
  say(`bench: ${minSec(total)} total`);
  process.exit(1);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  `Written whole by one \`npm run bench\` run (\`bench/all.ts\`) on ${stamp.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  '',
  `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}; 1-minute load average ${loadBefore[0]?.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end (the machine may be shared: wall times and rates are only as quiet as it was; token, call and byte counts do not depend on it).`,
  `- Versions: Node ${process.version}, TypeScript ${packageVersion('typescript')}, BullMQ ${packageVersion('bullmq')}, ioredis ${packageVersion('ioredis')}, Redis ${redisVersion()}, \`@anthropic-ai/sdk\` ${packageVersion('@anthropic-ai/sdk')}.`,
  `- This run took **${minSec(total)}** (limit ${LIMIT_S / 60} min): ${perBenchmark}.`,
  '- Figures are medians of at least 3 runs with their spread (min–max) and their ratio against a baseline measured in the same run; the few single-run rows (a one-run comparison, a count that does not depend on timing) say so. Each section states what it ran: batch sizes, runs, settings. `npm run bench:<name>` re-runs one benchmark and replaces only its section (its Machine line then carries its own date and time).',
  '',
].join('\n');
const body = readFileSync(draft, 'utf8');
const firstSection = body.indexOf('<!-- bench:');
if (firstSection < 0) throw new Error(`no section in ${draft}`);
writeFileSync(draft, `${header}\n${body.slice(firstSection)}`);
copyFileSync(draft, BENCHMARKS_FILE);
rmSync(dir, { recursive: true, force: true });
say(`bench: wrote ${BENCHMARKS_FILE}; per benchmark: ${perBenchmark}`);
if (total > LIMIT_S) say(`bench: over the ${LIMIT_S / 60}-minute limit (a busy machine stretches every wall time)`);
say(`bench: ${minSec(total)} total`);
