// A set of `agent-factory worker` processes a fault case can kill, stop and replace by slot.
import type { BatchItemInput } from '@agent-factory/queue';
import { syntheticRequirements } from '../../bench/synthetic.js';
import { spawnWorker, type WorkerProcess } from '../helpers/queue-workers.js';

/** Worker settings every case shares: short locks and backoff, so recovery takes seconds, not minutes. */
export function faultEnv(redisUrl: string, prefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: redisUrl,
    AF_PREFIX: prefix,
    AF_PROVIDER: 'offline',
    AF_RESEARCH: 'none',
    AF_LOCK_MS: '2000',
    AF_BACKOFF_MS: '100',
    ...extra,
  };
}

/** Synthetic requirements (each ends `(case i)`, so the provider ledger can tell them apart) as inputs `r<i>`. */
export function syntheticInputs(count: number, seed: number): BatchItemInput[] {
  return syntheticRequirements(count, seed).map((requirement, i) => ({ id: `r${i}`, requirement }));
}

export class Fleet {
  /** Ready processes by slot; undefined while the slot's process starts (or after it was signalled). */
  readonly live: (WorkerProcess | undefined)[] = [];
  /** Every process ever started, to stop them all at the end. */
  readonly started: WorkerProcess[] = [];
  /** Milliseconds from spawn to "worker ready", per process. */
  readonly startMs: number[] = [];
  private readonly starting = new Set<Promise<void>>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts `n` more workers in new slots and waits until each is ready. */
  async grow(n: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
    const first = this.live.length;
    this.live.length += n;
    await Promise.all(Array.from({ length: n }, (_, i) => this.fill(first + i, env)));
  }

  /** Slots whose process is ready. */
  ready(): number[] {
    return this.live.flatMap((w, slot) => (w ? [slot] : []));
  }

  /** Sends `signal` to the process in `slot` and waits until it exited; the slot stays empty until replace(). */
  async signal(slot: number, signal: NodeJS.Signals): Promise<number | null> {
    const w = this.live[slot];
    if (!w) throw new Error(`no ready worker in slot ${slot}`);
    this.live[slot] = undefined;
    w.child.kill(signal);
    return w.exited;
  }

  /** Starts a new process in `slot`; resolves when it is ready (callers may leave it starting). */
  replace(slot: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
    return this.fill(slot, env);
  }

  /** Waits for every process still starting. */
  async settled(): Promise<void> {
    await Promise.all(this.starting);
  }

  /** SIGTERM to every process still running, in parallel. */
  async stopAll(): Promise<void> {
    await this.settled().catch(() => undefined);
    await Promise.all(this.started.map((w) => w.stop()));
  }

  private fill(slot: number, env: NodeJS.ProcessEnv): Promise<void> {
    const t = performance.now();
    const done = spawnWorker({ ...this.env, ...env }).then((w) => {
      this.started.push(w);
      this.startMs.push(performance.now() - t);
      this.live[slot] = w;
    });
    this.starting.add(done);
    void done.finally(() => this.starting.delete(done)).catch(() => undefined);
    return done;
  }
}

/** Median of a list (0 when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
