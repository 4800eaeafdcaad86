import { brotliPack, brotliUnpack, isBrotliPacked } from './brotli.js';
import type { RedisClient } from './connection.js';

/**
 * Values from this size (characters of JSON) on go to Redis compressed: a finished agent (~5 KB,
 * the cache's bulk: one per distinct requirement for its TTL, in a Redis that must not evict) then
 * keeps about half. Smaller values stay plain, where compressing saves little.
 */
export const PACK_FROM_CHARS = 1024;

/** A value as the cache keeps it: its JSON (the memory tier) and what Redis stores (plain, or compressed when large). */
export interface PackedValue {
  json: string;
  stored: string | Buffer;
}

export function packValue(json: string): PackedValue {
  return { json, stored: json.length < PACK_FROM_CHARS ? json : brotliPack(Buffer.from(json)) };
}

/** A value's JSON from what Redis keeps (plain values written before compression read as they are). */
export function unpackValue(raw: Buffer): string {
  return (isBrotliPacked(raw) ? brotliUnpack(raw) : raw).toString('utf8');
}

/** A value's JSON and how long Redis keeps it still (ms; -1 without expiry, -2 gone meanwhile). */
export interface StoredValue {
  json: string;
  pttl: number;
}

/**
 * A value's JSON and its remaining lifetime, pipelined into one round trip (so a copy kept in memory
 * can expire with it: a worker must not serve what Redis has expired), or null when Redis has none.
 */
export async function readStored(redis: RedisClient, key: string): Promise<StoredValue | null> {
  const replies = await redis.pipeline().getBuffer(key).pttl(key).exec();
  const [[getError, raw] = [], [ttlError, pttl] = []] = replies ?? [];
  if (getError) throw getError;
  if (!Buffer.isBuffer(raw)) return null;
  // The value read is right however its lifetime read went; without one, memory keeps no copy.
  return { json: unpackValue(raw), pttl: ttlError ? -2 : Number(pttl) };
}
