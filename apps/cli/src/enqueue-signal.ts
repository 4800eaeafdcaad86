/**
 * Runs `work` with an AbortSignal fired by the first SIGINT or SIGTERM, so a submit stopped while
 * it enqueues marks its batch interrupted at once and says how to resume, instead of dying and
 * leaving the batch for its lease to run out. Only the first signal is caught: a second one ends the
 * process as usual (the lease then runs out). Outside `work` the signals do what they always do.
 * `submit --wait` uses it for its wait too: Ctrl-C stops the wait, not the batch.
 */
export async function whileEnqueuing<T>(
  work: (signal: AbortSignal) => Promise<T>,
  announce = 'stopping after the chunks in flight (again to quit at once)',
): Promise<{ result: T; stoppedBy?: NodeJS.Signals }> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stoppedBy ??= signal;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stderr.write(`\n${signal}: ${announce}\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await work(controller.signal);
    return stoppedBy ? { result, stoppedBy } : { result };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
