/** The signals that ask a command to stop: Ctrl-C, a process manager, the terminal closing. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The shell's code for a process ended by a signal: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143;
}

/**
 * Resolves with the first SIGINT, SIGTERM or SIGHUP (a closed terminal must stop what `up` started,
 * not orphan it); a second one while shutting down exits at once.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const s of STOP_SIGNALS) {
        process.off(s, onSignal);
        process.once(s, () => process.exit(signalExitCode(s)));
      }
      resolve(signal);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
  });
}

/**
 * Runs `work` with an AbortSignal fired by the first SIGINT or SIGTERM (saying `announce`): a submit
 * stopped while it enqueues marks its batch interrupted at once and says how to resume, instead of
 * dying and leaving the batch for its lease to run out; a `--wait` stops waiting, not the batch.
 * Only the first signal is caught: a second one ends the process as usual. Outside `work` the
 * signals do what they always do.
 */
export async function whileStoppable<T>(
  work: (signal: AbortSignal) => Promise<T>,
  announce: string,
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
