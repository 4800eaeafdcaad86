import { sleep } from '@agent-factory/core';
import { isRedisUnavailable } from './redis-client.js';

/** How often a step waiting for Redis tries again. */
const RETRY_EVERY_MS = 250;

/**
 * Runs a Redis step, and again while Redis is unavailable (a restart, a failover: a producer's client
 * fails fast then), until it answers or `patienceMs` has passed since it went away; then the last
 * error is thrown. `again` is true on a repeat, for a step that must first check whether its last
 * try went through (its reply lost with the connection). Only for steps that are safe to repeat.
 */
export async function untilRedisAnswers<T>(step: (again: boolean) => Promise<T>, patienceMs: number): Promise<T> {
  let awaySince: number | undefined;
  for (;;) {
    try {
      return await step(awaySince !== undefined);
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
      awaySince ??= Date.now();
      if (Date.now() - awaySince > patienceMs) throw error;
      await sleep(RETRY_EVERY_MS);
    }
  }
}
