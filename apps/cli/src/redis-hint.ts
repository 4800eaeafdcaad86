import { displayRedisUrl } from '@agent-factory/queue';

/**
 * `REDIS_URL=… npx agent-factory <command>` to run from another terminal against this Redis (not
 * whatever answers on 6379 there); a password shows as *** with a note to put the real one.
 */
export function withRedisUrl(redisUrl: string, command: string, env: Record<string, string> = {}): string {
  const shown = displayRedisUrl(redisUrl);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v} `).join('');
  return `${vars}REDIS_URL=${shown} npx agent-factory ${command}${shown === redisUrl ? '' : ' (with the real password for ***)'}`;
}
