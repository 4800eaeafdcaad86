import type { CacheNamespace } from '@agent-factory/core';

// Every cache key starts with the prefix, a hash tag like {af}: on Redis Cluster they all land in one
// slot, so the Lua scripts that touch a value and its lock together are legal there too.

/** A value: `${prefix}:cache:${namespace}:${key}`. */
export const valueKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cache:${ns}:${key}`;

/** The single-flight lock of a value (outside the `:cache:` space, so clearing never touches locks). */
export const lockKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cachelock:${ns}:${key}`;

/** The jobs parked waiting on a claim (a set of job ids): whoever ends the claim wakes them (agent-claim.ts). */
export const waitersKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cachewait:${ns}:${key}`;

/**
 * The stale copy of a value, which outlives it for stale-while-error. Outside the `:cache:` space, so
 * entry counts and scans of values never see it twice.
 */
export const staleKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cachestale:${ns}:${key}`;

/** Present while a value's compute keeps failing: workers serve the stale copy instead of asking again. */
export const failingKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cachefail:${ns}:${key}`;

/**
 * The keys `cache warm` stored in a namespace workers only read when warmed (analysis), a sorted set
 * scored by each entry's expiry (ms). Named apart from the namespace-wide marker older versions kept
 * (`cachewarm`, a string, no longer read; it expires on its own).
 */
export const warmedKey = (prefix: string, ns: CacheNamespace): string => `${prefix}:cachewarmed:${ns}`;

/** How often a value was computed within its TTL; more than once is a duplicate. */
export const computesKey = (prefix: string, ns: CacheNamespace, key: string): string => `${prefix}:cachecount:${ns}:${key}`;

/** A namespace's duplicates: label → computes, for the keys computed more than once. */
export const duplicatesKey = (prefix: string, ns: CacheNamespace): string => `${prefix}:cache:duplicates:${ns}`;

/** Carries the value key of each entry written (or given up on), so waiters wake at once. */
export const doneChannel = (prefix: string): string => `${prefix}:cache:done`;

/** Carries a namespace `cache warm` has just filled, so workers start reading it at once. */
export const warmedChannel = (prefix: string): string => `${prefix}:cache:warmed`;

/** Carries a namespace (or `*`) that was cleared, so workers drop it from memory too. */
export const clearChannel = (prefix: string): string => `${prefix}:cache:clear`;

/** Escapes Redis glob characters, so a prefix or namespace matches only itself in SCAN MATCH. */
export const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** SCAN MATCH for every value of a namespace. */
export const entriesPattern = (prefix: string, ns: CacheNamespace): string => `${globEscape(prefix)}:cache:${globEscape(ns)}:*`;
