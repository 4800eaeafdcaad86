/**
 * Submit rate and peak RSS: the real `agent-factory submit FILE --json` process on a 100,000-line
 * JSONL (5% duplicate lines), against a minimal producer (bench/bare/submit.mjs) that reads the same
 * file line by line and addBulk's bare BullMQ jobs in chunks of 1,000, on the same private Redis.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUBMIT_CHUNK, SUBMIT_CHUNKS_IN_FLIGHT } from '@agent-factory/queue';
import { machine, writeSection } from './benchmarks-md.js';
import { CLI, mark, mb, REDIS_SETTINGS, RSS_METHOD, runTimed, startBenchRedis, versions, type TimedRun } from './harness.js';
import { median, spread } from './stats.js';
import { rng, syntheticRequirements } from './synthetic.js';

const RUNS = 3;
const LINES = 100_000;
const DUPLICATES = 5_000;
const TARGET_RATE = 25_000;
const TARGET_RSS_MB = 200;
const BARE = fileURLToPath(new URL('./bare/submit.mjs', import.meta.url));
const PREFIX = '{afbench}';

/** 95,000 distinct requirements and 5,000 repeats of earlier lines at random places, one JSON object a line. */
function jsonl(): string {
  const distinct = syntheticRequirements(LINES - DUPLICATES, 7).map((requirement) => JSON.stringify({ requirement }));
  const next = rng(8);
  const repeatAt = new Set<number>();
  while (repeatAt.size < DUPLICATES) repeatAt.add(1 + Math.floor(next() * (LINES - 1)));
  const lines: string[] = [];
  let used = 0;
  for (let i = 0; i < LINES; i++) {
    if (repeatAt.has(i) && used > 0) lines.push(distinct[Math.floor(next() * used)] as string);
    else lines.push(distinct[used++] as string);
  }
  return `${lines.join('\n')}\n`;
}

function check(run: TimedRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr.slice(-2000)}`);
}

const dir = await mkdtemp(join(tmpdir(), 'af-bench-submit-'));
const file = join(dir, 'requirements.jsonl');
await writeFile(file, jsonl());
const fileBytes = (await stat(file)).size;
const redis = await startBenchRedis();
const env = { REDIS_URL: redis.url, AF_PREFIX: PREFIX, LOG_LEVEL: 'warn' };
const ours: TimedRun[] = [];
const bare: TimedRun[] = [];
let distinct = 0;
try {
  // Interleaved, so a noisy neighbour hurts both sides alike.
  for (let run = 0; run < RUNS; run++) {
    await redis.flush();
    const o = await runTimed([CLI, 'submit', file, '--json'], env);
    check(o, 'agent-factory submit');
    const status = JSON.parse(o.stdout.slice(o.stdout.indexOf('{'))) as { inputs: number; total: number };
    if (status.inputs !== LINES) throw new Error(`submit accepted ${status.inputs} of ${LINES} lines`);
    distinct = status.total;
    ours.push(o);
    await redis.flush();
    const b = await runTimed([BARE, file], env);
    check(b, 'bare submit');
    bare.push(b);
    process.stderr.write(`run ${run + 1}/${RUNS}: ours ${(LINES / o.seconds).toFixed(0)}/s ${mb(o.peakRss)} MB, bare ${(LINES / b.seconds).toFixed(0)}/s ${mb(b.peakRss)} MB\n`);
  }
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

const rate = (runs: TimedRun[]): number[] => runs.map((r) => LINES / r.seconds);
const rss = (runs: TimedRun[]): number[] => runs.map((r) => r.peakRss / 2 ** 20);
const oursRate = median(rate(ours));
const bareRate = median(rate(bare));
const oursRss = median(rss(ours));
const bareRss = median(rss(bare));
const table = [
  '## Submit rate and memory (100,000-line JSONL)',
  '',
  `Machine: ${machine()}; ${versions(redis.version)}. Redis: ${REDIS_SETTINGS}. ${RUNS} runs per side, interleaved.`,
  '',
  `Input: ${LINES.toLocaleString('en')} JSONL lines (${(fileBytes / 2 ** 20).toFixed(1)} MB; ${(LINES - DUPLICATES).toLocaleString('en')} distinct synthetic requirements, ${DUPLICATES.toLocaleString('en')} duplicate lines at random places; ours enqueued ${distinct.toLocaleString('en')} distinct jobs). ` +
    `Ours is the real \`agent-factory submit FILE --json\` process: pass 1 checks every line, pass 2 writes item records, the ids list and priority jobs, one script per chunk of ${SUBMIT_CHUNK} (${SUBMIT_CHUNKS_IN_FLIGHT} chunks in flight). ` +
    'Baseline (`bench/bare/submit.mjs`): reads the same file line by line, `JSON.parse`, `addBulk` of bare jobs (no ids, no options, no dedupe) in chunks of 1,000 into one queue, one chunk at a time. ' +
    `Rate = lines ÷ wall time of the process from spawn to exit (Node start-up included). Peak RSS from ${RSS_METHOD}.`,
  '',
  '| measure | ours (median) | spread | bare BullMQ (median) | spread | ours ÷ bare | target | |',
  '|---|---|---|---|---|---|---|---|',
  `| requirements/s | **${oursRate.toFixed(0)}** | ${spread(rate(ours))} | ${bareRate.toFixed(0)} | ${spread(rate(bare))} | ${(oursRate / bareRate).toFixed(2)} | ≥ ${TARGET_RATE.toLocaleString('en')} | ${mark(oursRate >= TARGET_RATE)} |`,
  `| wall seconds | ${median(ours.map((r) => r.seconds)).toFixed(2)} | ${Math.min(...ours.map((r) => r.seconds)).toFixed(2)}–${Math.max(...ours.map((r) => r.seconds)).toFixed(2)} | ${median(bare.map((r) => r.seconds)).toFixed(2)} | ${Math.min(...bare.map((r) => r.seconds)).toFixed(2)}–${Math.max(...bare.map((r) => r.seconds)).toFixed(2)} | | | |`,
  `| peak RSS, MB | **${oursRss.toFixed(0)}** | ${spread(rss(ours))} | ${bareRss.toFixed(0)} | ${spread(rss(bare))} | ${(oursRss / bareRss).toFixed(2)} | ≤ ${TARGET_RSS_MB} | ${mark(oursRss <= TARGET_RSS_MB)} |`,
].join('\n');
writeSection('submit', table);
process.stdout.write(`${table}\n`);
