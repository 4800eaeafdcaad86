/** Upper bounds (ms) of the time histograms: fixed, so aggregates from any process add up. */
export const TIME_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;

/** The bucket index of a value (the last index + 1 is the overflow bucket). */
export function bucketOf(ms: number): number {
  const i = TIME_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? TIME_BUCKETS_MS.length : i;
}

/**
 * The q-quantile of bucket counts, interpolated linearly inside its bucket (as Prometheus'
 * histogram_quantile does); undefined without observations.
 */
export function quantileOf(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : TIME_BUCKETS_MS[i - 1]!;
      const upper = TIME_BUCKETS_MS[i] ?? lower * 2;
      return lower + ((upper - lower) * (rank - seen)) / n;
    }
    seen += n;
  }
  return TIME_BUCKETS_MS[TIME_BUCKETS_MS.length - 1];
}
