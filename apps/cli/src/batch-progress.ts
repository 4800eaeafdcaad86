import { batchEndWatch, describeMemory, fullMaster, getBatch, isRedisUnavailable, STAGES, unsavedMaster, type BatchStatus, type FactoryConnection, type Stage } from '@agent-factory/queue/client';
import { Presets, SingleBar } from 'cli-progress';
import { doneOf, finishedOf } from './batch-view.js';
import { signalExitCode, whileStoppable } from './stop-signal.js';

const POLL_MS = 500;

/** Bars only for a person watching: not with --json, not when stderr is a pipe or a file. */
export function wantsBars(json: boolean | undefined): boolean {
  return !json && process.stderr.isTTY === true;
}

/** How a wait shows its progress: a bar at a terminal, a line now and then in a log, nothing with --json. */
export type ProgressMode = 'bar' | 'lines' | 'quiet';

export function progressMode(json: boolean | undefined): ProgressMode {
  return json ? 'quiet' : process.stderr.isTTY === true ? 'bar' : 'lines';
}

/** How often the 'lines' mode writes one (a CI log wants to see a long batch move, not every poll). */
export const PROGRESS_LINE_MS = 30_000;

function newBar(format: string): SingleBar {
  return new SingleBar({ format, hideCursor: true, stream: process.stderr, etaBuffer: 20, fps: 5 }, Presets.shades_classic);
}

/** A bar while the producer enqueues; `update` takes the inputs enqueued so far. */
export function enqueueBar(total: number, enabled: boolean): { update(enqueued: number): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = newBar(' enqueue {bar} {value}/{total} requirements | {duration}s');
  bar.start(total, 0);
  return { update: (enqueued) => bar.update(Math.min(enqueued, total)), stop: () => bar.stop() };
}

/** How long a wait outlasts a Redis that does not answer (a restart, a failover) before it gives up. */
const REDIS_PATIENCE_MS = 300_000;

/** Raised when the waiting itself is stopped (Ctrl-C): the batch goes on without us. */
export class WaitStoppedError extends Error {
  constructor(
    readonly batchId: string,
    readonly by: unknown,
  ) {
    super(`stopped waiting; batch ${batchId} goes on: agent-factory status ${batchId}`);
    this.name = 'WaitStoppedError';
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** How long a wait sees no progress before it looks for the workers (a batch no worker serves waits forever). */
const IDLE_CHECK_MS = 10_000;

/** The stages no worker process serves now (BullMQ's CLIENT LIST); none known when Redis refuses CLIENT LIST. */
async function unservedStages(conn: FactoryConnection): Promise<Stage[]> {
  try {
    const counts = await Promise.all(STAGES.map((stage) => conn.queues[stage].getWorkersCount()));
    return STAGES.filter((_, i) => counts[i] === 0);
  } catch {
    return [];
  }
}

/**
 * Why a batch makes no progress, when that can be told: Redis is full (the workers wait for room) or
 * cannot save to disk (they wait until it can), or stages no worker serves; '' otherwise.
 */
async function stallHint(conn: FactoryConnection, batchId: string): Promise<string> {
  const full = await fullMaster(conn.redis).catch(() => undefined);
  if (full) return `Redis is full (${describeMemory(full)}): batch ${batchId} waits for room; \`agent-factory doctor\` says how to make it`;
  const unsaved = await unsavedMaster(conn.redis).catch(() => undefined);
  if (unsaved) return `Redis cannot save to disk (its last ${unsaved.failure === 'aof' ? 'AOF write' : 'RDB save'} failed) and may refuse writes: batch ${batchId} waits; \`agent-factory doctor\` says more`;
  const unserved = await unservedStages(conn);
  return unserved.length > 0 ? workerHint(batchId, unserved) : '';
}

function workerHint(batchId: string, stages: Stage[]): string {
  const which = stages.length === STAGES.length ? 'no worker is running' : `no worker serves the ${stages.join(', ')} stage${stages.length > 1 ? 's' : ''}`;
  return `${which}: batch ${batchId} waits; start one with \`REDIS_URL=… npx agent-factory worker\``;
}

/** cli-progress's own ETA says "NFs" until something finishes; a dash says it plainly. */
function eta(remaining: number, perSecond: number): string {
  if (remaining <= 0) return '0s';
  if (!(perSecond > 0)) return '–';
  const s = Math.round(remaining / perSecond);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Polls the batch until it is no longer running, showing done / failed / rate / ETA as `mode`
 * says. Redis going away (a restart) is waited out, up to REDIS_PATIENCE_MS: the workers resume
 * by themselves, and so does the wait. `signal` stops the wait (WaitStoppedError), the bar put away.
 */
export async function waitForBatch(conn: FactoryConnection, batchId: string, mode: ProgressMode, signal?: AbortSignal, lineEveryMs = PROGRESS_LINE_MS): Promise<BatchStatus> {
  const enabled = mode === 'bar';
  const started = Date.now();
  let lineAt = started;
  let bar: SingleBar | undefined;
  let firstDone: number | undefined;
  let awaySince: number | undefined;
  const ended = batchEndWatch();
  let last: BatchStatus | undefined;
  let progressAt = Date.now();
  let checkedAt = Date.now();
  let hint = '';
  try {
    for (;;) {
      if (signal?.aborted) throw new WaitStoppedError(batchId, signal.reason);
      let status: BatchStatus | undefined;
      try {
        status = await getBatch(conn, batchId);
      } catch (error) {
        if (!isRedisUnavailable(error)) throw error;
        if (awaySince === undefined) {
          awaySince = Date.now();
          if (bar && last) bar.update(doneOf(last), { note: ' | Redis not answering: waiting' });
          else process.stderr.write(`agent-factory: Redis is not answering; waiting for it (batch ${batchId} goes on once it is back)\n`);
        } else if (Date.now() - awaySince > REDIS_PATIENCE_MS) {
          throw new Error(`Redis has not answered for ${Math.round(REDIS_PATIENCE_MS / 1000)} s; stopped waiting for batch ${batchId} (it goes on once Redis is back: agent-factory status ${batchId})`);
        }
        await pause(POLL_MS, signal);
        continue;
      }
      if (!status) throw new Error(`batch ${batchId} disappeared while waiting (its retention ended?)`);
      if (awaySince !== undefined && !bar) process.stderr.write('agent-factory: Redis is back\n');
      awaySince = undefined;
      const done = doneOf(status);
      if (last === undefined || finishedOf(status) !== finishedOf(last)) {
        progressAt = Date.now();
        hint = '';
      }
      last = status;
      firstDone ??= done;
      // No progress for a while: can anyone work on it? Said once when that changes.
      if (status.state === 'running' && Date.now() - progressAt >= IDLE_CHECK_MS && Date.now() - checkedAt >= IDLE_CHECK_MS) {
        checkedAt = Date.now();
        const next = await stallHint(conn, batchId);
        if (next !== hint && next && !enabled) process.stderr.write(`agent-factory: ${next}\n`);
        hint = next;
      }
      const seconds = (Date.now() - started) / 1000;
      // Done only: a cancel drops thousands of items in a moment, which is no rate of work.
      const perSecond = seconds > 0 ? (done - firstDone) / seconds : 0;
      const { failed, cancelled, pending } = status.counts;
      // `left`, not `eta`: cli-progress fills its own {eta} token first, whatever the payload says.
      const payload = { failed, cancelled: cancelled > 0 ? ` | ${cancelled} cancelled` : '', rate: perSecond.toFixed(1), left: eta(pending, perSecond), note: hint ? ` | ${hint}` : '' };
      if (enabled) {
        if (!bar) {
          bar = newBar(' agents  {bar} {value}/{total} done | {failed} failed{cancelled} | {rate}/s | ETA {left}{note}');
          bar.start(status.total, done, payload);
        } else bar.update(done, payload);
      } else if (mode === 'lines' && status.state === 'running' && Date.now() - lineAt >= lineEveryMs) {
        lineAt = Date.now();
        process.stderr.write(`agent-factory: batch ${batchId}: ${done}/${status.total} done, ${failed} failed${cancelled > 0 ? `, ${cancelled} cancelled` : ''}, ${payload.rate}/s, ETA ${payload.left}\n`);
      }
      if (ended(status)) return status;
      await pause(POLL_MS, signal);
    }
  } finally {
    // Whatever ends the wait, the terminal gets its cursor and line wrap back.
    bar?.stop();
  }
}

/**
 * waitForBatch that the first Ctrl-C (or SIGTERM) stops: the batch goes on, a line says how to
 * follow it, the exit code is the signal's; undefined then.
 */
export async function waitStoppably(conn: FactoryConnection, batchId: string, mode: ProgressMode): Promise<BatchStatus | undefined> {
  try {
    return (await whileStoppable((signal) => waitForBatch(conn, batchId, mode, signal), 'stopping the wait (the batch goes on)')).result;
  } catch (error) {
    if (!(error instanceof WaitStoppedError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = signalExitCode(error.by === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    return undefined;
  }
}
