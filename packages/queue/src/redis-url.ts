import type { RedisOptions } from 'ioredis';

export interface ParsedUrl {
  nodes: { host: string; port: number }[];
  options: RedisOptions;
}

function parseOne(part: string): URL {
  return new URL(part.includes('://') ? part : `redis://${part}`);
}

/** `redis://[user:pass@]host:port[/db]`, or several `host:port` separated by commas (Redis Cluster seeds). */
export function parseRedisUrl(redisUrl: string): ParsedUrl {
  const parts = redisUrl.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('REDIS_URL is empty');
  const urls = parts.map(parseOne);
  const first = urls[0]!;
  const db = Number(first.pathname.slice(1) || 0);
  const options: RedisOptions = {
    ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
    ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
  };
  return { nodes: urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })), options };
}

/**
 * A REDIS_URL as given, or an error saying what one looks like, before anything connects (the URL
 * parser's own "Invalid URL" named neither the variable nor the form).
 */
export function checkRedisUrl(redisUrl: string): string {
  const refuse = (why: string): Error =>
    new Error(`${JSON.stringify(displayRedisUrl(redisUrl))} ${why}: give redis://[user:password@]host:port[/db] (rediss:// for TLS), or host:port,host:port,… for a Redis Cluster's nodes`);
  for (const part of redisUrl.split(',').map((p) => p.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = parseOne(part);
    } catch {
      throw refuse('is not a Redis URL');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw refuse(`has the scheme ${url.protocol.slice(0, -1)}`);
    if (url.port === '0') throw refuse('names port 0');
  }
  return redisUrl;
}

/** The URL without its password, for messages and logs. */
export function displayRedisUrl(redisUrl: string): string {
  return redisUrl.replace(/\/\/([^:@/]*):[^@/]*@/g, '//$1:***@');
}
