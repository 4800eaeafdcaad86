import { getBatch, type BatchStatus, type FactoryConnection } from '@agent-factory/queue/client';
import { Presets, SingleBar } from 'cli-progress';
import { doneOf } from './batch-view.js';

const POLL_MS = 500;

/** Bars only for a person watching: not with --json, not when stderr is a pipe or a file. */
export function wantsBars(json: boolean | undefined): boolean {
  return !json && process.stderr.isTTY === true;
}

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

/** Polls the batch until it is no longer running, with a bar (done / failed / rate / ETA) when enabled. */
export async function waitForBatch(conn: FactoryConnection, batchId: string, enabled: boolean): Promise<BatchStatus> {
  const started = Date.now();
  let bar: SingleBar | undefined;
  let firstDone: number | undefined;
  for (;;) {
    const status = await getBatch(conn, batchId);
    if (!status) throw new Error(`batch ${batchId} disappeared while waiting (its retention ended?)`);
    const done = doneOf(status);
    firstDone ??= done;
    if (enabled) {
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? ((done - firstDone) / seconds).toFixed(1) : '0';
      const payload = { failed: status.counts.failed, rate };
      if (!bar) {
        bar = newBar(' agents  {bar} {value}/{total} done | {failed} failed | {rate}/s | ETA {eta_formatted}');
        bar.start(status.total, done, payload);
      } else bar.update(done, payload);
    }
    if (status.state !== 'running') {
      bar?.stop();
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
