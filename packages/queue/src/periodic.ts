/** A task a process runs on a timer: `close()` stops the timer and waits for a round still running. */
export interface Periodic {
  close(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never two rounds at once (a slow round skips the ticks it
 * overlaps), on a timer that does not keep the process alive. `task` handles its own errors.
 */
export function every(intervalMs: number, task: () => Promise<void>): Periodic {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
