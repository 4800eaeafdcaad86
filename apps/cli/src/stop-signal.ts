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
