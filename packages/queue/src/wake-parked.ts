import type { FactoryConnection } from './connection.js';

/**
 * Wakes analyze jobs parked on an agents claim (agent-claim.ts), by their ids, taken from the claim's
 * waiters set as the claim ended: promoted from delayed, each looks again at once, to find the agent
 * or take the claim over. Errors are dropped: a waiter not woken looks again on its own schedule. A
 * job no longer delayed (looking already, or its batch cancelled) refuses promotion: nothing to wake.
 */
export async function wakeParked(conn: Pick<FactoryConnection, 'queues'>, ids: readonly string[]): Promise<void> {
  const wake = async (id: string): Promise<void> => (await conn.queues.analyze.getJob(id))?.promote();
  await Promise.all(ids.map((id) => wake(id).catch(() => undefined)));
}
