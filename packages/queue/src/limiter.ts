import type { RedisClient } from './connection.js';
import { limitAmounts, LIMIT_NAMES, type LimitAmounts, type LimitName, type RateLimits } from './limiter-config.js';
import { createGate, type GateOptions, type LimiterGate } from './limiter-gate.js';
import { remainingAmounts, type LimitReport } from './limiter-headers.js';
import { batchUsageKey, limiterKeys } from './limiter-keys.js';
import type { BatchUsage } from './limiter-usage.js';
import { reserveScript } from './scripts/limiter-reserve.js';
import { settleScript } from './scripts/limiter-settle.js';

/** The API's limits are per minute. */
export const DEFAULT_WINDOW_MS = 60_000;
/** Longest a job sleeps for its slot; a later slot sends it back to the queue instead. */
export const DEFAULT_MAX_WAIT_MS = 5_000;
/**
 * How much later than our reservation the API may take a request's cost (connection set-up, a busy
 * worker's event loop, the network): our buckets hold this much less than the limit (see BUCKETS_LUA).
 */
export const DEFAULT_TRANSIT_MS = 2_000;
/** A batch's usage outlives its retention (7 days by default) by a day. */
const DEFAULT_USAGE_TTL_SECONDS = 8 * 24 * 3600;

const ZERO: LimitAmounts = { requests: 0, input: 0, output: 0 };

export interface RateLimiterOptions {
  redis: RedisClient;
  /** The factory's key prefix (a hash tag). */
  prefix: string;
  /** AF_RATE_LIMIT; without it only the pause after a 429 and the limits the API reports apply. */
  limits?: RateLimits;
  /** Refill window (the API's is a minute; tests shrink it). */
  windowMs?: number;
  maxWaitMs?: number;
  /** DEFAULT_TRANSIT_MS; at most a tenth of the window (tests shrink the window, not the network). */
  transitMs?: number;
  /** How long a batch's usage hash is kept after its last request. */
  usageTtlSeconds?: number;
}

/** Bucket levels after a reservation (undefined for a limit that is not enforced). */
export type Levels = Partial<Record<LimitName, number>>;

export type Reservation =
  | { granted: true; /** Sleep this long, then send. */ waitMs: number; /** What was taken (clamped to the limits). */ amounts: LimitAmounts; levels: Levels }
  | { granted: false; /** When a slot within maxWaitMs could exist. */ retryInMs: number; levels: Levels };

export interface SettleOptions {
  /** What a response's `anthropic-ratelimit-*` headers said. */
  reports?: Partial<Record<LimitName, LimitReport>>;
  /** How old those counts are (a stream settles long after its headers). */
  reportAgeMs?: number;
  /** Pause every worker this long (a 429's retry-after). */
  pauseMs?: number;
  /** Adds the request to its batch's usage. */
  usage?: { batch: string; amounts: Partial<BatchUsage> };
}

function levelsOf(raw: unknown[]): Levels {
  const levels: Levels = {};
  LIMIT_NAMES.forEach((name, i) => {
    const value = raw[2 + i];
    if (typeof value === 'string' && value !== '') levels[name] = Number(value);
  });
  return levels;
}

/**
 * The cluster-wide rate limiter: a token bucket per limit in Redis, shared by every worker, updated
 * only by Lua scripts (atomic). Reserve before a request, settle after it with what it really used.
 */
export class RateLimiter {
  readonly windowMs: number;
  readonly maxWaitMs: number;
  readonly transitMs: number;
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly keys: { state: string; pause: string };
  private readonly configured: LimitAmounts;
  private readonly usageTtlSeconds: number;
  /** The limits the API reports in its headers (per process: every worker learns them from its own responses). */
  private readonly learned: Partial<LimitAmounts> = {};

  constructor(options: RateLimiterOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.keys = limiterKeys(options.prefix);
    this.configured = limitAmounts(options.limits ?? {});
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.transitMs = Math.min(Math.max(0, options.transitMs ?? DEFAULT_TRANSIT_MS), this.windowMs / 10);
    this.usageTtlSeconds = options.usageTtlSeconds ?? DEFAULT_USAGE_TTL_SECONDS;
  }

  /**
   * The limits in force (0 = none): the configured ones, lowered to what the API reports when that
   * is less (the configured figure was wrong); the reported ones where none is configured.
   */
  limits(): LimitAmounts {
    const out = { ...ZERO };
    for (const name of LIMIT_NAMES) {
      const set = this.configured[name];
      const reported = this.learned[name];
      out[name] = set > 0 && reported !== undefined ? Math.min(set, reported) : set > 0 ? set : (reported ?? 0);
    }
    return out;
  }

  /** Remembers the limits a response reported. */
  learn(reports: Partial<Record<LimitName, LimitReport>>): void {
    for (const name of LIMIT_NAMES) {
      const limit = reports[name]?.limit;
      if (limit !== undefined && limit > 0) this.learned[name] = limit;
    }
  }

  /**
   * Takes `amounts` from every bucket when the wait for them (and for any pause) is at most
   * `maxWaitMs`; an amount larger than its limit is cut to the limit (it could never fit otherwise).
   */
  async reserve(amounts: Partial<LimitAmounts>, maxWaitMs = this.maxWaitMs): Promise<Reservation> {
    const limits = this.limits();
    const taken = { ...ZERO };
    for (const name of LIMIT_NAMES) taken[name] = limits[name] > 0 ? Math.min(Math.max(0, amounts[name] ?? 0), limits[name]) : 0;
    const raw = (await reserveScript.run(this.redis, [this.keys.state, this.keys.pause], [
      this.windowMs,
      maxWaitMs,
      ...LIMIT_NAMES.map((n) => limits[n]),
      ...LIMIT_NAMES.map((n) => taken[n]),
      this.transitMs,
    ])) as unknown[];
    const levels = levelsOf(raw);
    const ms = Number(raw[1]);
    return raw[0] === 1 ? { granted: true, waitMs: ms, amounts: taken, levels } : { granted: false, retryInMs: ms, levels };
  }

  /**
   * Gives back what a request reserved but did not use (or takes the excess), applies what the API
   * reported, pauses every worker when asked, records usage. Returns the pause left in ms.
   */
  async settle(reserved: LimitAmounts, used: LimitAmounts, options: SettleOptions = {}): Promise<number> {
    const limits = this.limits();
    const remaining = remainingAmounts(options.reports ?? {});
    const usage = options.usage;
    const pairs = usage ? Object.entries(usage.amounts).filter(([, n]) => n !== undefined && n !== 0).flatMap(([field, n]) => [field, Math.round(n ?? 0)]) : [];
    const result = await settleScript.run(this.redis, [this.keys.state, this.keys.pause, usage ? batchUsageKey(this.prefix, usage.batch) : this.keys.state], [
      this.windowMs,
      Math.ceil(Math.max(0, options.pauseMs ?? 0)),
      pairs.length > 0 ? this.usageTtlSeconds : 0,
      Math.max(0, options.reportAgeMs ?? 0),
      ...LIMIT_NAMES.map((n) => limits[n]),
      ...LIMIT_NAMES.map((n) => reserved[n] - used[n]),
      ...LIMIT_NAMES.map((n) => remaining[n]),
      this.transitMs,
      ...pairs,
    ]);
    return Number(result);
  }

  /** Returns a whole reservation (the request was never sent). */
  refund(reserved: LimitAmounts): Promise<number> {
    return this.settle(reserved, ZERO);
  }

  /** Stops every worker from starting a request for `ms` (never shortens a longer pause). */
  pause(ms: number): Promise<number> {
    return this.settle(ZERO, ZERO, { pauseMs: ms });
  }

  /** How long the cluster-wide pause still lasts, in ms (0 when none). */
  async pausedForMs(): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.keys.pause));
  }

  /** The buckets' levels now (negative: slots already promised to waiting callers). */
  async levels(): Promise<Levels> {
    return (await this.reserve(ZERO, Number.MAX_SAFE_INTEGER)).levels;
  }

  /** A gate for one job's provider calls: admission before each request, settlement after. */
  gate(options: GateOptions = {}): LimiterGate {
    return createGate(this, options);
  }
}
