import { ClusterFailure, type LocalCluster } from './cluster.js';

/** What ended a wait while the cluster runs: the work, a stop signal, or the cluster failing. */
export type Ending<T> = { done: T } | { signal: NodeJS.Signals } | { failure: ClusterFailure };

/** Resolves with a stop signal, or with the cluster's failure when no worker is left. */
export function untilClusterEnds(signal: Promise<NodeJS.Signals>, cluster: LocalCluster): Promise<{ signal: NodeJS.Signals } | { failure: ClusterFailure }> {
  return Promise.race([signal.then((s) => ({ signal: s })), cluster.failed.then((failure) => ({ failure }))]);
}

/** `work`, unless a stop signal comes first or the cluster fails (a child that would not start, no worker left). */
export function whileClusterRuns<T>(work: Promise<T>, signal: Promise<NodeJS.Signals>, cluster: LocalCluster): Promise<Ending<T>> {
  return Promise.race([
    work.then(
      (done) => ({ done }),
      (error: unknown) => {
        if (error instanceof ClusterFailure) return { failure: error };
        throw error;
      },
    ),
    untilClusterEnds(signal, cluster),
  ]);
}

/**
 * Stops the workers, then the server, then a Redis this command started, and exits: with the
 * failure's code after saying why, or with `signalCode` after a signal. It exits rather than
 * returns: a batch still being waited for would keep the process alive.
 */
export async function stopAndExit(ending: { signal: NodeJS.Signals } | { failure: ClusterFailure }, stopAll: () => Promise<unknown>, signalCode: (signal: NodeJS.Signals) => number): Promise<never> {
  if ('failure' in ending) process.stderr.write(`agent-factory: ${ending.failure.message}\n`);
  await stopAll();
  process.exit('failure' in ending ? ending.failure.exitCode : signalCode(ending.signal));
}
