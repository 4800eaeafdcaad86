/** The limiter's Redis keys; under the prefix's hash tag, so one script touches them all on a Cluster. */
export function limiterKeys(prefix: string): { state: string; pause: string } {
  return {
    /** Hash: a token bucket per limit (level and time of that level). */
    state: `${prefix}:limiter`,
    /** Set with a PX expiry after a 429: no worker starts a request until it is gone. */
    pause: `${prefix}:limiter:paused`,
  };
}

/** Hash of what a batch's Messages API requests used: requests, failed, input, output, cacheCreation, cacheRead. */
export const batchUsageKey = (prefix: string, batchId: string): string => `${prefix}:batch:${batchId}:usage`;
