/**
 * Upper bounds (ms) of the time histograms: fixed, so aggregates from any process add up. Fine at
 * the low end, where CPU stages run in a few milliseconds, and no wider than half their bound above
 * a second, where generations and queue waits fall; a superset of the older bounds (below).
 */
export const TIME_BUCKETS_MS = [
  1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 1500, 2500, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000,
  180_000, 240_000, 300_000, 450_000, 600_000, 900_000, 1_200_000, 1_800_000,
] as const;

/**
 * The bounds older workers counted under, by index (`<prefix><index>`). Aggregates they wrote live
 * up to 31 days (hours) or a batch's retention; each of these bounds is one of TIME_BUCKETS_MS, so
 * their counts are read into the bucket with the same upper bound.
 */
const LEGACY_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;
const LEGACY_TO_BUCKET = [...LEGACY_BUCKETS_MS.map((b) => TIME_BUCKETS_MS.indexOf(b)), TIME_BUCKETS_MS.length];

/** The bucket index of a value (the last index + 1 is the overflow bucket). */
function bucketOf(ms: number): number {
  const i = TIME_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? TIME_BUCKETS_MS.length : i;
}

/** A bucket's field, named by its upper bound in ms, so a change of bounds never misreads one. */
const boundField = (prefix: string, i: number): string => `${prefix}le${TIME_BUCKETS_MS[i] ?? 'inf'}`;

/**
 * The field holding a histogram's largest observation. Its own group (`max|`), so every process
 * combines it by maximum, not by sum (isMaxField).
 */
export const maxField = (prefix: string): string => `max|${prefix}`;
export const isMaxField = (field: string): boolean => field.startsWith('max|');

/** The fields one observation adds: its bucket (1) and the histogram's maximum (the value). */
export function observationFields(prefix: string, ms: number): [string, number][] {
  return [[boundField(prefix, bucketOf(ms)), 1], [maxField(prefix), ms]];
}

/**
 * The q-quantile of bucket counts, interpolated linearly inside its bucket (as Prometheus'
 * histogram_quantile does), the highest counted bucket ending at `max`, the largest value observed:
 * never above it (interpolation alone put the p95 of a batch that took 167 s at 250 s, inside a
 * 120–300 s bucket); undefined without observations.
 */
export function quantileOf(counts: readonly number[], q: number, max?: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const cap = (v: number): number => (max === undefined ? v : Math.min(v, max));
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : TIME_BUCKETS_MS[i - 1]!;
      // The largest observation lies in the highest bucket counted: that one ends there.
      const upper = cap(TIME_BUCKETS_MS[i] ?? max ?? lower * 2);
      return cap(lower + (Math.max(upper - lower, 0) * (rank - seen)) / n);
    }
    seen += n;
  }
  return cap(TIME_BUCKETS_MS[TIME_BUCKETS_MS.length - 1]!);
}

/** The q-quantile of the histogram `prefix` in aggregated fields, the older workers' counts included. */
export function histogramQuantile(f: ReadonlyMap<string, number>, prefix: string, q: number): number | undefined {
  const counts = Array.from({ length: TIME_BUCKETS_MS.length + 1 }, (_, i) => f.get(boundField(prefix, i)) ?? 0);
  let legacy = 0;
  LEGACY_TO_BUCKET.forEach((to, i) => {
    const n = f.get(`${prefix}${i}`) ?? 0;
    counts[to]! += n;
    legacy += n;
  });
  // Older workers kept no maximum: with their counts in, the one kept covers only part of the
  // observations. Without them every observation set it, and only zeros leave it unset.
  return quantileOf(counts, q, legacy === 0 ? (f.get(maxField(prefix)) ?? 0) : undefined);
}
