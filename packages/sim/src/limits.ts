/** The three limits, named as in the `anthropic-ratelimit-*` headers. */
export type LimitName = 'requests' | 'input-tokens' | 'output-tokens';

const MINUTE_MS = 60_000;

/** A bucket holding up to `limit`, refilled continuously at `limit` per minute (the API's algorithm). */
class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    readonly limit: number,
    private readonly now: () => number,
  ) {
    this.level = limit;
    this.last = now();
  }

  available(): number {
    const at = this.now();
    this.level = Math.min(this.limit, this.level + ((at - this.last) * this.limit) / MINUTE_MS);
    this.last = at;
    return this.level;
  }

  /** Milliseconds until `amount` is available; a minute when it never fits. */
  waitMs(amount: number): number {
    if (amount > this.limit) return MINUTE_MS;
    const missing = amount - this.available();
    return missing <= 0 ? 0 : (missing * MINUTE_MS) / this.limit;
  }

  take(amount: number): void {
    this.available();
    this.level -= amount;
  }

  give(amount: number): void {
    this.available();
    this.level = Math.min(this.limit, this.level + amount);
  }

  /** When the bucket is full again (RFC 3339, whole seconds like the API). */
  resetAt(): string {
    const ms = this.now() + ((this.limit - this.available()) * MINUTE_MS) / this.limit;
    return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

export type Admission = { ok: true } | { ok: false; limit: LimitName; limitValue: number; waitMs: number };

/**
 * RPM, ITPM and OTPM as the API enforces them: a request is admitted only when every bucket holds
 * its cost (1 request, its uncached input plus cache writes, its max_tokens); the output
 * reservation is settled against the real output when the reply ends.
 */
export class RateLimiter {
  private readonly buckets: Partial<Record<LimitName, TokenBucket>> = {};

  constructor(limits: { rpm?: number | undefined; itpm?: number | undefined; otpm?: number | undefined }, now: () => number) {
    if (limits.rpm) this.buckets.requests = new TokenBucket(limits.rpm, now);
    if (limits.itpm) this.buckets['input-tokens'] = new TokenBucket(limits.itpm, now);
    if (limits.otpm) this.buckets['output-tokens'] = new TokenBucket(limits.otpm, now);
  }

  /** Takes the request's cost from every bucket, or says which limit refused it and for how long. */
  admit(cost: { input: number; maxOutput: number }): Admission {
    const wanted: Array<[LimitName, number]> = [
      ['requests', 1],
      ['input-tokens', cost.input],
      ['output-tokens', cost.maxOutput],
    ];
    let refusal: Admission = { ok: true };
    for (const [name, amount] of wanted) {
      const bucket = this.buckets[name];
      const waitMs = bucket?.waitMs(amount) ?? 0;
      // The longest wait is the honest retry-after: the request needs every bucket.
      if (bucket && waitMs > 0 && (refusal.ok || waitMs > refusal.waitMs)) refusal = { ok: false, limit: name, limitValue: bucket.limit, waitMs };
    }
    if (!refusal.ok) return refusal;
    for (const [name, amount] of wanted) this.buckets[name]?.take(amount);
    return refusal;
  }

  /** What each configured bucket holds now. */
  levels(): Partial<Record<LimitName, number>> {
    return Object.fromEntries(Object.entries(this.buckets).map(([name, bucket]) => [name, bucket.available()]));
  }

  /** Empties every bucket (they refill from now on at their rate). */
  drain(): void {
    for (const bucket of Object.values(this.buckets)) bucket.take(bucket.available());
  }

  /** Gives back the part of the output reservation the reply did not use. */
  settleOutput(reserved: number, used: number): void {
    if (used < reserved) this.buckets['output-tokens']?.give(reserved - used);
  }

  /** `anthropic-ratelimit-*` headers for the configured limits, as of now. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, bucket] of Object.entries(this.buckets) as Array<[LimitName, TokenBucket]>) {
      headers[`anthropic-ratelimit-${name}-limit`] = String(bucket.limit);
      headers[`anthropic-ratelimit-${name}-remaining`] = String(Math.max(0, Math.floor(bucket.available())));
      headers[`anthropic-ratelimit-${name}-reset`] = bucket.resetAt();
    }
    // The API also reports the tighter of the two token limits as `tokens-*`.
    const tokenBuckets = [this.buckets['input-tokens'], this.buckets['output-tokens']].filter((b): b is TokenBucket => b !== undefined);
    const tightest = tokenBuckets.sort((a, b) => a.available() - b.available())[0];
    if (tightest) {
      headers['anthropic-ratelimit-tokens-limit'] = String(tightest.limit);
      headers['anthropic-ratelimit-tokens-remaining'] = String(Math.max(0, Math.floor(tightest.available())));
      headers['anthropic-ratelimit-tokens-reset'] = tightest.resetAt();
    }
    return headers;
  }
}

/** The retry headers of a 429: whole seconds (at least 1) and exact milliseconds. */
export function retryHeaders(waitMs: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))), 'retry-after-ms': String(Math.ceil(waitMs)) };
}
