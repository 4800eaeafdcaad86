import { randomUUID } from 'node:crypto';
import type { Cache, CacheNamespace } from '@agent-factory/core';
import { LRUCache } from 'lru-cache';
import { countCompute, labelDuplicate, MAX_LABEL } from './cache-computes.js';
import { packValue, readStored, type PackedValue } from './cache-codec.js';
import { claim, claimStep, commit, getOrLock, release, renew, valueWrite, type ClaimAttempt, type ClaimCount, type ClaimStep, type EntryKeys, type ValueWrite } from './cache-lock.js';
import { computesKey, doneChannel, duplicatesKey, failingKey, lockKey, staleKey, valueKey, waitersKey } from './cache-names.js';
import { CacheNotifications } from './cache-notifications.js';
import { CACHE_NAMESPACES, StatsCounter, type CacheLayer } from './cache-stats.js';
import { Warmth } from './cache-warmth.js';
import type { RedisClient } from './connection.js';

export * from './cache-keys.js';
export * from './cache-stats.js';
export type { DuplicateCompute } from './cache-computes.js';
export { clearCache } from './cache-clear.js';
export { cacheSizes, SIZE_SAMPLE, type NamespaceSize } from './cache-sizes.js';
export { CachedDocsSource } from './cached-docs-source.js';

const DAY = 24 * 3600;
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<CacheNamespace, number>> = { analysis: 7 * DAY, research: 7 * DAY, templates: 30 * DAY, agents: 7 * DAY };
/**
 * How long a stale copy outlives its value, per namespace; a namespace without one keeps none. Docs
 * answers a month out of date beat no docs while the source is down; the rest is cheap to recompute.
 */
export const DEFAULT_STALE_SECONDS: Readonly<Partial<Record<CacheNamespace, number>>> = { research: 30 * DAY };
/** After a failed compute the stale copy is served this long before the source is asked again, cluster-wide. */
export const DEFAULT_STALE_RETRY_MS = 60_000;
/** Namespaces whose computes are counted per key, so a key computed twice is reported (the duplicate detector): docs calls and generations, what costs. */
export const DEFAULT_COUNTED_NAMESPACES: readonly CacheNamespace[] = ['research', 'agents'];

/** A value with how it was found: fresh, or a stale copy served because compute failed. */
export interface CacheLookup<T> {
  value: T;
  /** Set when the value is a stale copy: the failure that made it one (this caller's, or another worker's moments ago). */
  stale?: string;
}

export interface LookupOptions {
  ttlSeconds?: number;
  /** How the duplicate detector names the key (default: the key). */
  label?: string;
}

/** What claim() found: the value, the claim (now the caller's), or the holder of a live claim. */
export type Claimed<T> = { kind: 'value'; value: T } | { kind: 'claimed' } | { kind: 'held'; holder: string };

export interface ClaimOptions {
  /** How long the claim lives unless released (or renewed by claiming again). */
  leaseMs: number;
  /** A holder the caller found dead: its claim is taken over. */
  replace?: string;
  /** The caller found the claim held before and waited: a value is counted as waited for, and nothing else is counted again. */
  waiting?: boolean;
  /** How the duplicate detector names the key (default: the key). */
  label?: string;
}

export interface SharedCacheOptions {
  redis: RedisClient;
  /** The factory's key prefix, a hash tag like `{af}` (required on Redis Cluster: values and locks share a slot). */
  prefix: string;
  /** The in-process tier: at most this many entries and this many bytes of JSON (default 10,000 and 64 MB). */
  memory?: { maxEntries?: number; maxBytes?: number };
  ttlSeconds?: Partial<Record<CacheNamespace, number>>;
  /** Stale-while-error: how long a stale copy outlives its value, per namespace (0 keeps none; default DEFAULT_STALE_SECONDS). */
  staleSeconds?: Partial<Record<CacheNamespace, number>>;
  /** After a failed compute, the stale copy is served this long before the source is asked again, cluster-wide (default DEFAULT_STALE_RETRY_MS). */
  staleRetryMs?: number;
  /** Namespaces whose computes are counted for the duplicate detector (default DEFAULT_COUNTED_NAMESPACES). */
  countComputes?: readonly CacheNamespace[];
  /** How long a caller waits for another worker's compute before computing itself (default 30 s). */
  waitTimeoutMs?: number;
  /** A compute lock's lifetime; renewed while its holder lives, so a dead holder is replaced this fast (default 10 s). */
  lockTtlMs?: number;
  /** Waiters re-check Redis at least this often, in case a notification is lost (default 500 ms). */
  pollMs?: number;
  /** Counters go to Redis this often (default 1 s). */
  statsFlushMs?: number;
}

/**
 * The shared cache: an in-process LRU (bounded by entries and bytes) in front of Redis (TTL per
 * namespace), with single-flight across the cluster — for a missing entry one caller computes, every
 * other caller on any worker waits for its value, and a waiter takes over if the computer dies.
 * Namespaces with a stale window keep a second, longer-lived copy of each value, which
 * getOrComputeStale serves when the value expired and computing it again fails (stale-while-error).
 * Values are JSON (large ones compressed in Redis: cache-codec.ts); every caller gets its own copy.
 */
export class SharedCache implements Cache {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly memory: LRUCache<string, string>;
  private readonly ttl: Record<CacheNamespace, number>;
  private readonly staleSeconds: Partial<Record<CacheNamespace, number>>;
  private readonly staleRetryMs: number;
  private readonly counted: ReadonlySet<CacheNamespace>;
  private readonly waitTimeoutMs: number;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  private readonly stats: StatsCounter;
  private readonly notifications: CacheNotifications;
  private readonly warmth: Warmth;
  /** In-process single-flight: one lookup per value key (and stale mode) at a time, shared by its callers. */
  private readonly flights = new Map<string, Promise<Found>>();

  constructor(options: SharedCacheOptions) {
    if (options.redis.isCluster && !/^\{[^{}]+\}/.test(options.prefix)) throw new Error(`on Redis Cluster the cache prefix must be a hash tag like {af}, not ${options.prefix}`);
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.memory = new LRUCache<string, string>({
      max: options.memory?.maxEntries ?? 10_000,
      maxSize: options.memory?.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (json) => Math.max(1, json.length),
    });
    this.ttl = { ...DEFAULT_CACHE_TTL_SECONDS, ...options.ttlSeconds };
    this.staleSeconds = { ...DEFAULT_STALE_SECONDS, ...options.staleSeconds };
    // At least 1 ms: Redis refuses a PX of 0.
    this.staleRetryMs = Math.max(1, Math.ceil(options.staleRetryMs ?? DEFAULT_STALE_RETRY_MS));
    this.counted = new Set(options.countComputes ?? DEFAULT_COUNTED_NAMESPACES);
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.pollMs = options.pollMs ?? 500;
    this.stats = new StatsCounter(this.redis, this.prefix, options.statsFlushMs ?? 1000);
    this.warmth = new Warmth(this.redis, this.prefix);
    this.notifications = new CacheNotifications(this.redis, this.prefix, { clear: (ns) => this.dropMemory(ns), warmed: (ns) => this.warmth.forget(ns as CacheNamespace) });
  }

  async get<T>(namespace: CacheNamespace, key: string): Promise<T | undefined> {
    const full = valueKey(this.prefix, namespace, key);
    const cached = this.memory.get(full);
    if (cached !== undefined) return this.hit<T>(namespace, 'memory', cached);
    const stored = await readStored(this.redis, full);
    if (stored === null) {
      this.stats.count(namespace, 'miss');
      return undefined;
    }
    this.rememberFor(full, stored.json, stored.pttl);
    return this.hit<T>(namespace, 'redis', stored.json);
  }

  /**
   * get() for a key `cache warm` stored (markWarmed), while its entry lives: otherwise undefined
   * without a Redis read, so a key nobody warmed costs a batch nothing.
   */
  async getIfWarm<T>(namespace: CacheNamespace, key: string): Promise<T | undefined> {
    return (await this.warmth.isWarm(namespace, key)) ? this.get<T>(namespace, key) : undefined;
  }

  /** Tells every worker that these keys of a namespace are warmed (cache warm), for as long as their entries live. */
  async markWarmed(namespace: CacheNamespace, keys: readonly string[]): Promise<void> {
    await this.warmth.mark(namespace, keys, this.ttl[namespace]);
  }

  async set<T>(namespace: CacheNamespace, key: string, value: T, ttlSeconds?: number): Promise<void> {
    const packed = packValue(toJson(value));
    const keys = this.keysOf(namespace, key);
    const ttl = this.stored(namespace, keys, packed, ttlSeconds);
    // Through the commit script so waiters on this key wake; the empty token owns no lock.
    await commit(this.redis, keys, packed.stored, ttl, '');
  }

  /**
   * set() for a caller's own script to write (finalize-item: a finished agent, already packed as its
   * result is, is stored in the step that ends its item, one command instead of two), dropping
   * `holder`'s claim (claim()): the write's keys and settings, with this process's share done here.
   * The caller's script announces nothing: values stored this way are claimed ones, whose waiters
   * park their jobs, to be woken by the claimer or look again (agent-claim.ts), rather than listen.
   */
  packedWrite(namespace: CacheNamespace, key: string, value: PackedValue, holder: string): ValueWrite {
    const keys = this.keysOf(namespace, key);
    return valueWrite(keys, this.stored(namespace, keys, value, undefined), holder);
  }

  /** This process's share of storing a value: counted, kept in memory as long as Redis keeps it; its TTL. */
  private stored(namespace: CacheNamespace, keys: EntryKeys, value: PackedValue, ttlSeconds: number | undefined): number {
    // A value stored by set() was computed by its caller after a miss (a finished agent by the whole
    // pipeline), so it counts as getOrCompute's do: `cache stats` showed agents computed 0.
    this.stats.count(namespace, 'computed');
    const ttl = this.ttlOf(namespace, ttlSeconds);
    this.remember(keys.value, value.json, ttl);
    return ttl;
  }

  /**
   * Single-flight for a value computed outside this call (a finished agent, by the rest of its
   * requirement's pipeline), in one Redis command: the value when there is one, else a claim on
   * computing it for `holder` (free, expired, already the holder's, or `replace`'s), else who holds
   * the claim. The holder stores the value with packedWrite (which drops the claim) or gives up with
   * releaseClaim; a claimer that does neither loses the claim after `leaseMs` unless it is renewed
   * (claimKeys()). A new claim is counted as a compute for the duplicate detector.
   */
  async claim<T>(namespace: CacheNamespace, key: string, holder: string, options: ClaimOptions): Promise<Claimed<T>> {
    const keys = this.keysOf(namespace, key);
    const cached = this.memory.get(keys.value);
    if (cached !== undefined) return { kind: 'value', value: this.hit<T>(namespace, options.waiting ? 'waited' : 'memory', cached) };
    const count = this.countOf(namespace, key, options);
    return this.settle<T>(namespace, keys, await claim(this.redis, keys, holder, leaseOf(options), options.replace ?? '', count), options);
  }

  /**
   * claim() for a caller's own script to take (load-item: the analyze stage claims an item's agent in
   * the command that reads the item, one instead of two): the claim's keys and arguments for
   * CLAIM_ENTRY_LUA, without the duplicate detector's label (claimed() names a duplicate); undefined
   * when this process's memory has the value, which claim() then answers without Redis.
   */
  claimStep(namespace: CacheNamespace, key: string, holder: string, options: ClaimOptions): ClaimStep | undefined {
    const keys = this.keysOf(namespace, key);
    if (this.memory.has(keys.value)) return undefined;
    return claimStep(keys, holder, leaseOf(options), options.replace ?? '', this.countOf(namespace, key, options));
  }

  /** What a claimStep() found, counted as claim() counts it; a duplicate compute is named here. */
  async claimed<T>(namespace: CacheNamespace, key: string, found: ClaimAttempt, options: ClaimOptions): Promise<Claimed<T>> {
    const count = this.countOf(namespace, key, options);
    if (count && found.kind === 'claimed' && found.computes > 1) await labelDuplicate(this.redis, count.duplicates, count.label, found.computes);
    return this.settle<T>(namespace, this.keysOf(namespace, key), found, options);
  }

  private settle<T>(namespace: CacheNamespace, keys: EntryKeys, found: ClaimAttempt, options: ClaimOptions): Claimed<T> {
    if (found.kind === 'value') {
      this.rememberFor(keys.value, found.json, found.pttl);
      return { kind: 'value', value: this.hit<T>(namespace, options.waiting ? 'waited' : 'redis', found.json) };
    }
    if (!options.waiting) this.stats.count(namespace, 'miss');
    return found;
  }

  /** Where a namespace counts its computes (the duplicate detector), if it does. */
  private countOf(namespace: CacheNamespace, key: string, options: { label?: string }): ClaimCount | undefined {
    if (!this.counted.has(namespace)) return undefined;
    return { key: computesKey(this.prefix, namespace, key), duplicates: duplicatesKey(this.prefix, namespace), ttlSeconds: this.ttl[namespace], label: (options.label ?? key).slice(0, MAX_LABEL) };
  }

  /**
   * The Redis keys of a claim (claim()) and of the set its caller keeps of who waits on it, for a caller
   * that checks and renews its holder, and wakes its waiters, in scripts of its own.
   */
  claimKeys(namespace: CacheNamespace, key: string): { claim: string; waiters: string } {
    return { claim: this.keysOf(namespace, key).lock, waiters: waitersKey(this.prefix, namespace, key) };
  }

  /** Drops `holder`'s claim (claim()) without a value, waking whoever waits for it to compute it themselves. */
  async releaseClaim(namespace: CacheNamespace, key: string, holder: string): Promise<void> {
    await release(this.redis, this.keysOf(namespace, key), holder, '');
  }

  async getOrCompute<T>(namespace: CacheNamespace, key: string, compute: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    return (await this.find<T>(namespace, key, compute, { ttlSeconds }, false)).value;
  }

  /**
   * getOrCompute with stale-while-error: when the value is missing and compute fails, the stale copy
   * (if the namespace keeps them and one is left) is returned, marked with the failure, instead of
   * the error. For the next staleRetryMs every worker serves that copy without computing.
   */
  getOrComputeStale<T>(namespace: CacheNamespace, key: string, compute: () => Promise<T>, options: LookupOptions = {}): Promise<CacheLookup<T>> {
    return this.find<T>(namespace, key, compute, options, true);
  }

  /** Adds this process's counters to Redis now (they also go every second and on close). */
  flushStats(): Promise<void> {
    return this.stats.flush();
  }

  /** Flushes the counters and closes the subscriber connection; the Redis client passed in stays open. */
  async close(): Promise<void> {
    await Promise.all([this.stats.close(), this.notifications.close()]);
  }

  /** Memory, then this process's flight for the key, else a new lookup (one per key and mode at a time). */
  private async find<T>(namespace: CacheNamespace, key: string, compute: () => Promise<T>, options: LookupOptions, allowStale: boolean): Promise<CacheLookup<T>> {
    const keys = this.keysOf(namespace, key);
    const cached = this.memory.get(keys.value);
    if (cached !== undefined) return { value: this.hit<T>(namespace, 'memory', cached) };
    // Callers that accept a stale copy and callers that want the error do not share a flight.
    const flightKey = allowStale ? `stale ${keys.value}` : keys.value;
    const joined = this.flights.get(flightKey);
    let found: Found;
    if (joined) found = await this.join(namespace, joined);
    else {
      const entry: Entry = { namespace, key, keys, ttl: this.ttlOf(namespace, options.ttlSeconds), label: options.label ?? key, allowStale };
      const flight = this.lookup(entry, compute).finally(() => this.flights.delete(flightKey));
      this.flights.set(flightKey, flight);
      found = await flight;
    }
    const value = JSON.parse(found.json) as T;
    return found.stale === undefined ? { value } : { value, stale: found.stale };
  }

  /**
   * Another caller's flight, counted as that flight was answered: a Redis hit is a hit for every
   * caller sharing it; a value someone computed is a miss that waited; a stale copy a stale miss.
   */
  private async join(namespace: CacheNamespace, flight: Promise<Found>): Promise<Found> {
    try {
      const found = await flight;
      if (found.layer === 'redis') this.stats.count(namespace, 'redis');
      else {
        this.stats.count(namespace, 'miss');
        this.stats.count(namespace, found.layer === 'stale' ? 'stale' : 'waited');
      }
      return found;
    } catch (error) {
      this.stats.count(namespace, 'miss');
      throw error;
    }
  }

  /** Redis, then the cluster-wide lock: take it and compute, or wait for the holder's value. */
  private async lookup(entry: Entry, compute: () => Promise<unknown>): Promise<Found> {
    const { namespace, keys } = entry;
    // A plain GET (and PTTL) first: hits are the common case, and GET is several times cheaper than the script.
    const stored = await readStored(this.redis, keys.value);
    if (stored !== null) {
      this.rememberFor(keys.value, stored.json, stored.pttl);
      this.stats.count(namespace, 'redis');
      return { json: stored.json, layer: 'redis' };
    }
    this.stats.count(namespace, 'miss');
    const token = randomUUID();
    let attempt = await getOrLock(this.redis, keys, token, this.lockTtlMs, entry.allowStale);
    const deadline = Date.now() + this.waitTimeoutMs;
    for (;;) {
      if (attempt.kind === 'value') {
        this.rememberFor(keys.value, attempt.json, attempt.pttl);
        this.stats.count(namespace, 'waited');
        return { json: attempt.json, layer: 'waited' };
      }
      if (attempt.kind === 'stale') {
        // The entry is failing (here or elsewhere, moments ago): its stale copy, without asking again.
        this.stats.count(namespace, 'stale');
        return { json: attempt.json, stale: attempt.failure, layer: 'stale' };
      }
      if (attempt.kind === 'locked') return this.computeAndStore(entry, compute, token);
      const left = deadline - Date.now();
      // The holder is alive but slow: computing here too beats waiting forever (the value is the same).
      if (left <= 0) return this.computeAndStore(entry, compute, '');
      // Register for the announcement before re-checking, so none slips by between the two.
      const wait = this.notifications.wait(keys.value, Math.min(left, this.retryDelay(attempt)));
      try {
        // Not subscribed yet (Redis down?): the check below and the poll still bound the wait.
        await Promise.race([this.notifications.ready, wait.promise]);
        attempt = await getOrLock(this.redis, keys, token, this.lockTtlMs, entry.allowStale);
        if (attempt.kind === 'held') await wait.promise;
      } finally {
        wait.cancel();
      }
    }
  }

  /** Wake up when the lock would expire (its holder may be dead), but at least every pollMs. */
  private retryDelay(attempt: { pttl: number }): number {
    // PTTL -2: the lock just went (retry at once, nearly); -1: a lock without expiry (only the deadline ends it).
    if (attempt.pttl === -2) return Math.min(this.pollMs, 20);
    return attempt.pttl > 0 ? Math.min(this.pollMs, attempt.pttl + 5) : this.pollMs;
  }

  private async computeAndStore(entry: Entry, compute: () => Promise<unknown>, token: string): Promise<Found> {
    const { namespace, keys, ttl } = entry;
    this.stats.count(namespace, 'computed');
    // Counted before the call, so calls that fail count too; a lost count must not cost the value.
    if (this.counted.has(namespace)) await countCompute(this.redis, this.prefix, namespace, entry.key, entry.label, ttl).catch(() => 0);
    // Keep the lock while computing, however long it takes; a dead process stops renewing it.
    const renewal = token ? setInterval(() => void renew(this.redis, keys, token, this.lockTtlMs).catch(() => false), Math.max(10, this.lockTtlMs / 3)) : undefined;
    renewal?.unref();
    let json: string;
    try {
      json = toJson(await compute());
    } catch (error) {
      clearInterval(renewal);
      // Free the lock and wake the waiters: one of them takes over, or, with a stale copy, they serve it.
      const failure = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      const stale = await release(this.redis, keys, token, failure).catch(() => undefined);
      if (stale !== undefined && entry.allowStale) {
        this.stats.count(namespace, 'stale');
        return { json: stale, stale: failure, layer: 'stale' };
      }
      throw error;
    }
    clearInterval(renewal);
    this.remember(keys.value, json, ttl);
    // The value is computed and correct even if Redis fails to store it: the caller still gets it,
    // and other workers take over once the lock expires.
    await commit(this.redis, keys, packValue(json).stored, ttl, token).catch(() => undefined);
    return { json, layer: 'computed' };
  }

  private hit<T>(namespace: CacheNamespace, layer: CacheLayer, json: string): T {
    this.stats.count(namespace, layer);
    return JSON.parse(json) as T;
  }

  /** Keeps a value this process stores (set, compute) in memory as long as it is stored for. */
  private remember(full: string, json: string, ttlSeconds: number): void {
    this.rememberFor(full, json, ttlSeconds * 1000);
  }

  /**
   * Keeps a value read from Redis in memory for no longer than Redis keeps it (`pttl` ms, as PTTL
   * answered): a copy kept for the namespace's whole TTL outlived the entry, up to twice as long,
   * and workers disagreed on what the cache holds. A value without expiry (-1) keeps none here, nor
   * one that expired meanwhile (-2).
   */
  private rememberFor(full: string, json: string, pttl: number): void {
    if (pttl > 0) this.memory.set(full, json, { ttl: pttl });
  }

  private dropMemory(namespace: string): void {
    this.warmth.forget(namespace as CacheNamespace | '*');
    const namespaces = namespace === '*' ? CACHE_NAMESPACES : CACHE_NAMESPACES.filter((ns) => ns === namespace);
    const prefixes = namespaces.map((ns) => valueKey(this.prefix, ns, ''));
    for (const key of [...this.memory.keys()]) if (prefixes.some((p) => key.startsWith(p))) this.memory.delete(key);
  }

  private keysOf(namespace: CacheNamespace, key: string): EntryKeys {
    const keys: EntryKeys = { value: valueKey(this.prefix, namespace, key), lock: lockKey(this.prefix, namespace, key), channel: doneChannel(this.prefix) };
    const seconds = Math.ceil(this.staleSeconds[namespace] ?? 0);
    if (seconds > 0) keys.stale = { key: staleKey(this.prefix, namespace, key), failing: failingKey(this.prefix, namespace, key), seconds, retryMs: this.staleRetryMs };
    return keys;
  }

  private ttlOf(namespace: CacheNamespace, ttlSeconds: number | undefined): number {
    const ttl = ttlSeconds ?? this.ttl[namespace];
    if (!(ttl > 0)) throw new RangeError(`cache TTL must be positive, got ${ttl}`);
    return Math.ceil(ttl);
  }
}

/** One lookup's entry: where it lives, for how long, and whether a stale copy may answer. */
interface Entry {
  namespace: CacheNamespace;
  key: string;
  keys: EntryKeys;
  ttl: number;
  label: string;
  allowStale: boolean;
}

/** A lookup's JSON, where it came from (how the callers sharing it count it), and the failure when it is a stale copy. */
interface Found {
  json: string;
  layer: Extract<CacheLayer, 'redis' | 'computed' | 'waited' | 'stale'>;
  stale?: string;
}

/** A claim's lease in whole ms, at least 1 (Redis refuses a PX of 0). */
const leaseOf = (options: ClaimOptions): number => Math.max(1, Math.ceil(options.leaseMs));

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('the cache stores JSON values; undefined (or a function) cannot be stored');
  return json;
}
