const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Minute aggregates cover the last day; hour aggregates the last 30 days; both expire by themselves. */
export const MINUTE_TTL_SECONDS = 26 * 3600;
export const HOUR_TTL_SECONDS = 31 * 24 * 3600;
/** The recent log keeps the newest records only. */
export const RECENT_MAX = 2000;

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The metrics keys: hashes of counters per minute, hour and batch, and the capped recent log. */
export function metricsKeys(prefix: string) {
  const base = `${prefix}:metrics`;
  return {
    minute: (ms: number): string => `${base}:m:${minuteOf(ms)}`,
    hour: (ms: number): string => `${base}:h:${hourOf(ms)}`,
    batch: (batchId: string): string => `${base}:b:${batchId}`,
    recent: `${base}:recent`,
    /** Records not yet added to the aggregates (fold.ts). */
    inbox: `${base}:inbox`,
    /** Alert state: the last alert sent per threshold, so a crossing is announced once. */
    alerts: `${base}:alerts`,
    /** The last alert check's outcome (JSON, expiring): what the dashboard and /metrics show. */
    alertState: `${base}:alerts:state`,
  };
}

export { MINUTE_MS, HOUR_MS };
