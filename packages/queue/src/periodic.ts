/** A task a process runs on a timer: `close()` stops the timer and waits for a round still running. */
export interface Periodic {
  close(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (and once `firstMs` after the start, when given), never two rounds
 * at once (a slow round skips the ticks it overlaps), on timers that do not keep the process alive.
 * `task` handles its own errors.
 */
export function every(intervalMs: number, task: () => Promise<void>, firstMs?: number): Periodic {
  let running: Promise<void> | undefined;
  const round = (): void => {
    running ??= task().finally(() => (running = undefined));
  };
  const timer = setInterval(round, intervalMs);
  timer.unref();
  const first = firstMs === undefined ? undefined : setTimeout(round, firstMs);
  first?.unref();
  return {
    async close() {
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
