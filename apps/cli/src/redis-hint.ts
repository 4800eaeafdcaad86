import { DEFAULT_PREFIX, displayRedisUrl } from '@agent-factory/queue';
import type { RedisAfterStop } from './local-redis.js';

/**
 * `REDIS_URL=… npx agent-factory <command>` to run from another terminal against this Redis (not
 * whatever answers on 6379 there); a password shows as ***, and passwordNote says to put the real one.
 */
export function withRedisUrl(redisUrl: string, command: string, env: Record<string, string> = {}): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v} `).join('');
  return `${vars}${prefixVar(process.env['AF_PREFIX'])}REDIS_URL=${displayRedisUrl(redisUrl)} npx agent-factory ${command}`;
}

/**
 * This run's AF_PREFIX, which its workers and server inherit: without it a command from another
 * terminal would serve or read the default `{af}` keys, not this run's.
 */
function prefixVar(prefix: string | undefined): string {
  return prefix === undefined || prefix === '' || prefix === DEFAULT_PREFIX ? '' : `AF_PREFIX='${prefix}' `;
}

/** What follows a command from withRedisUrl (outside any quotes, so a copied command stays whole): a note when its password shows as ***. */
export function passwordNote(redisUrl: string): string {
  return displayRedisUrl(redisUrl) === redisUrl ? '' : ' (with the real password for ***)';
}

/**
 * `command` to run once this run has ended, as a user can run it then: against this Redis while it
 * still runs; when this run stopped it (a redis-server it started, or was the last to share), after
 * `up` starts it again on its data (SHUTDOWN and SIGTERM write its AOF), as the URL is then another.
 */
export function afterRunHint(redisUrl: string, after: RedisAfterStop, command: string): string {
  if (after === 'left running') return `\`${withRedisUrl(redisUrl, command)}\`${passwordNote(redisUrl)}`;
  return `\`npx agent-factory up\` in this folder starts the Redis this run stopped again, on its data; then \`${withRedisUrl('<the URL up prints>', command)}\``;
}
