// Case 1: SIGKILL of a random worker every ~2 s during a 5,000-requirement batch on 3 worker
// processes; each killed worker is replaced at once, so 3 keep running.
import { submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rng } from '../../bench/synthetic.js';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { median, syntheticInputs, type Fleet } from './fleet.js';
import { watchStalled, type StalledWatch } from './stalled.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRig, type FaultRig } from './rig.js';

const REQUIREMENTS = 5000;
const WORKERS = 3;
const KILL_EVERY_MS = 2000;
const SEED = 7;

let rig: FaultRig;
let conn: FactoryConnection;
let fleet: Fleet;
let stalled: StalledWatch;

beforeAll(async () => {
  // AOF off: this case kills workers, not Redis, and fsync on every write would only slow it down.
  const redis: TestRedis = await startRedis({ appendonly: false });
  // Each generation takes 120 ms and 8 run at once per worker, so a kill always finds generate jobs in
  // flight besides the CPU stages' (the offline generator alone would finish before the kill lands),
  // and the batch lasts at least 5,000 ÷ (3 × 8 ÷ 0.12 s) = 25 s on any machine: time for 10 kills
  // (with 50 ms a fast machine finished in 20 s, after 9).
  // Locks of 4 s: a killed worker's jobs run again within seconds, while a live worker starved of CPU
  // on a loaded machine still renews its locks in time (with 2 s locks and 50 analyze jobs at once,
  // live workers' jobs stalled and some failed for it). The CPU stages' concurrency is bounded for
  // the same reason: a burst of 50 continuations delays the lock-renewal timer.
  rig = await startRig(redis, { AF_LOCK_MS: '4000', AF_GENERATE_DELAY_MS: '120', AF_CONCURRENCY: 'analyze=16,research=16,generate=8,validate=16' });
  ({ fleet, conn } = rig);
  stalled = await watchStalled(redis.port, rig.prefix);
  await fleet.grow(WORKERS);
}, 60_000);

afterAll(() => rig?.stop(() => stalled?.close()));

it('SIGKILL of a random worker every ~2 s (5,000 requirements, 3 workers): nothing lost, nothing twice', async () => {
  const random = rng(SEED);
  const started = Date.now();
  const batch = await submitBatch(conn, syntheticInputs(REQUIREMENTS, SEED), { useCache: false });
  let kills = 0;
  let skipped = 0;
  let lastTick = Date.now();
  const replacements: Promise<void>[] = [];
  // Kill while the batch runs; the deadline bounds a batch that never ends (then counted as lost).
  const deadline = started + 240_000;
  while (Date.now() < deadline) {
    await sleep(Math.max(0, KILL_EVERY_MS * (0.75 + 0.5 * random()) - (Date.now() - lastTick)));
    lastTick = Date.now();
    if ((await peekBatch(conn, batch.id))?.finishedAt !== undefined) break;
    // A random ready worker, never the last one ready: on a loaded machine a process may take longer
    // than 2 s to start, and killing every fresh one would stop all progress rather than test recovery.
    const ready = fleet.ready();
    if (ready.length < 2) {
      skipped++;
      continue;
    }
    const slot = ready[Math.floor(random() * ready.length)]!;
    expect(await fleet.signal(slot, 'SIGKILL')).toBeNull();
    kills++;
    // Replaced at once (3 processes keep running), not waited for: the kills keep their pace.
    replacements.push(fleet.replace(slot));
  }
  await Promise.all(replacements);
  const killSeconds = (lastTick - started) / 1000;
  await settle(conn, batch.id, Math.max(0, deadline - Date.now()));
  const seconds = (Date.now() - started) / 1000;
  const counts = await countBatch(conn, batch.id);
  report('SIGKILL a random worker every ~2 s', counts, {
    kills,
    'ticks skipped (fewer than 2 workers ready)': skipped,
    'mean time between kills': `${(killSeconds / Math.max(1, kills)).toFixed(1)} s`,
    'jobs stalled (moved back)': stalled.jobs.length,
    'worker processes started': fleet.started.length,
    'median worker start': `${Math.round(median(fleet.startMs))} ms`,
    'unrecorded in metrics': counts.unrecorded,
    'run time': `${seconds.toFixed(1)} s`,
  });
  expectSound(counts);
  expect(counts.submitted).toBe(REQUIREMENTS);
  expect(kills).toBeGreaterThanOrEqual(10);
}, 300_000);
