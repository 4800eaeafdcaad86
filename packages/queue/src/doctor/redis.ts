import { Cluster, type Redis } from 'ioredis';
import type { QueueConfig } from '../config.js';
import type { RedisClient } from '../connection.js';
import { describeError } from '../errors.js';
import { formatBytes } from '../format-bytes.js';
import { configGet, masters, noevictionFix, redisCli } from '../redis-checks.js';
import { describeMemory, nodeName, nodesMemory, REDIS_MEMORY_FIX } from '../redis-memory.js';
import { openRedis } from '../redis-client.js';
import { displayRedisUrl } from '../redis-url.js';
import { describeSaveFailure, failedSave, SAVE_FAILURE_FIX } from '../redis-saving.js';
import { fail, pass, warn, type DoctorCheck } from './check.js';
import { withTimeout } from '../with-timeout.js';

/** BullMQ's scripts need Redis 6.2 (its own recommended minimum). */
export const MIN_REDIS_VERSION = [6, 2] as const;

const NAMES = { reachable: 'redis reachable', version: 'redis version', policy: 'redis maxmemory-policy', persistence: 'redis persistence', memory: 'redis memory' };

/** Shares of maxmemory that warn and fail: at maxmemory a noeviction Redis refuses writes, and every batch stops. */
export const MEMORY_WARN = 0.75;
export const MEMORY_FAIL = 0.9;

/** Per node when a cluster's masters differ, else just the value. */
function perNode(values: { node: string; value: string }[]): string {
  const distinct = new Set(values.map((v) => v.value));
  return distinct.size === 1 ? [...distinct][0]! : values.map((v) => `${v.node} ${v.value}`).join(', ');
}

/**
 * Connects as a producer does (fails fast instead of waiting for Redis) within `timeoutMs`; the
 * check says whether it worked, and the client is there for the other checks when it did.
 */
export async function reachRedis(config: QueueConfig, timeoutMs: number): Promise<{ check: DoctorCheck; client?: RedisClient }> {
  const where = displayRedisUrl(config.redisUrl);
  const started = performance.now();
  const opening = openRedis(config.redisUrl, 'producer', 'agent-factory-doctor');
  try {
    const client = await withTimeout(opening, timeoutMs, `Redis at ${where}`);
    const kind = client instanceof Cluster ? `Redis Cluster, ${masters(client).length} masters` : 'Redis';
    return { client, check: pass(NAMES.reachable, `${where} (${kind}) answered in ${Math.round(performance.now() - started)} ms`) };
  } catch (error) {
    // A connection that completes after the deadline must not keep the process alive.
    opening.then((late) => late.disconnect(), () => undefined);
    return {
      check: fail(
        NAMES.reachable,
        `${describeError(error)} (version, maxmemory-policy, persistence and queues not checked)`,
        'start Redis, or set REDIS_URL (redis://host:port, or host:port,host:port,… for Redis Cluster)',
      ),
    };
  }
}

function versionOf(info: string): string | undefined {
  return /^redis_version:(\S+)/m.exec(info)?.[1];
}

function atLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

async function versionCheck(nodes: Redis[]): Promise<DoctorCheck> {
  const found = await Promise.all(nodes.map(async (n) => ({ node: nodeName(n), value: versionOf(await n.info('server')) ?? 'unknown' })));
  const min = MIN_REDIS_VERSION.join('.');
  const old = found.filter((f) => !atLeast(f.value, MIN_REDIS_VERSION));
  if (old.length > 0) return fail(NAMES.version, `${perNode(found)}: older than ${min}, which BullMQ needs`, `upgrade Redis to ${min} or newer (7.x recommended)`);
  return pass(NAMES.version, `${perNode(found)} (${min} or newer needed)`);
}

async function policyCheck(nodes: Redis[]): Promise<DoctorCheck> {
  const found = await Promise.all(nodes.map(async (n) => ({ node: nodeName(n), value: (await configGet(n, 'maxmemory-policy'))?.['maxmemory-policy'] })));
  if (found.some((f) => f.value === undefined)) {
    return warn(NAMES.policy, 'CONFIG is not allowed on this Redis: cannot read maxmemory-policy', 'make sure the provider sets maxmemory-policy noeviction: any other policy can evict queued jobs');
  }
  const known = found.map((f) => ({ node: f.node, value: f.value ?? '' }));
  const bad = nodes.filter((_, i) => known[i]!.value !== 'noeviction');
  if (bad.length > 0) {
    return fail(
      NAMES.policy,
      `${perNode(known.filter((f) => f.value !== 'noeviction'))}: Redis may evict queued jobs and results under memory pressure`,
      `${bad.map(noevictionFix).join('; ')}, and set "maxmemory-policy noeviction" in redis.conf so it survives a restart`,
    );
  }
  return pass(NAMES.policy, 'noeviction');
}

async function persistenceCheck(nodes: Redis[]): Promise<DoctorCheck> {
  const failed = (await Promise.all(nodes.map(async (n) => ({ node: nodeName(n), failure: await failedSave(n) })))).filter((f) => f.failure !== undefined);
  if (failed.length > 0) {
    const what = failed.map((f) => (nodes.length > 1 ? `${f.node} ` : '') + describeSaveFailure(f.failure!));
    return fail(NAMES.persistence, `${what.join('; ')}, and batches stop`, SAVE_FAILURE_FIX);
  }
  const found = await Promise.all(
    nodes.map(async (n) => {
      const [aof, save] = await Promise.all([configGet(n, 'appendonly'), configGet(n, 'save')]);
      if (!aof || !save) return { node: nodeName(n), value: undefined };
      const modes = [aof['appendonly'] === 'yes' ? 'AOF' : '', (save['save'] ?? '').trim() !== '' ? 'RDB snapshots' : ''].filter(Boolean);
      return { node: nodeName(n), value: modes.length > 0 ? modes.join(' + ') : 'off' };
    }),
  );
  if (found.some((f) => f.value === undefined)) {
    return warn(NAMES.persistence, 'CONFIG is not allowed on this Redis: cannot read appendonly or save', 'make sure the provider persists data (AOF): a restart without it loses every queued requirement');
  }
  const known = found.map((f) => ({ node: f.node, value: f.value ?? '' }));
  const off = nodes.filter((_, i) => known[i]!.value === 'off');
  if (off.length > 0) {
    return warn(NAMES.persistence, `${perNode(known)}: a Redis restart loses every queued requirement`, `${off.map((n) => redisCli(n, 'config set appendonly yes')).join('; ')}, and "appendonly yes" in redis.conf`);
  }
  return pass(NAMES.persistence, perNode(known));
}

/** Used memory against maxmemory on each master, the fullest one judged. */
async function memoryCheck(nodes: Redis[]): Promise<DoctorCheck> {
  const found = await nodesMemory(nodes);
  const described = found.map((f) => ({ node: f.node, value: f.max > 0 ? `${describeMemory(f)} (${Math.round((f.used / f.max) * 100)}%)` : `${formatBytes(f.used)}, no maxmemory` }));
  const fullest = Math.max(...found.map((f) => (f.max > 0 ? f.used / f.max : 0)));
  if (fullest >= MEMORY_FAIL) return fail(NAMES.memory, `${perNode(described)}: at maxmemory Redis refuses every write (noeviction) and batches stop`, REDIS_MEMORY_FIX);
  if (fullest >= MEMORY_WARN) return warn(NAMES.memory, `${perNode(described)}: near maxmemory, where Redis refuses every write (noeviction)`, REDIS_MEMORY_FIX);
  return pass(NAMES.memory, perNode(described));
}

/** Version ≥ 6.2, noeviction, persistence and room in memory, on every master of a cluster. */
export async function redisSettingsChecks(client: RedisClient): Promise<DoctorCheck[]> {
  const nodes = masters(client);
  return Promise.all([versionCheck(nodes), policyCheck(nodes), persistenceCheck(nodes), memoryCheck(nodes)]);
}
