import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planRequirement, researchTargets, researchTopic, unlistedLibraries } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCacheStats, parseNamespace, warmCache } from '../apps/cli/src/commands/cache.js';
import { readStored } from '../packages/queue/src/cache-codec.js';
import { valueKey } from '../packages/queue/src/cache-names.js';
import { analysisCacheKey, cacheSizes, cacheStats, researchCacheKey, SharedCache } from '../packages/queue/src/cache.js';
import { runCli } from './helpers/cli.js';
import { spawnWorker } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let dir: string;
const EXAMPLES = fileURLToPath(new URL('../examples/requirements.jsonl', import.meta.url));

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  dir = await mkdtemp(join(tmpdir(), 'af-cache-cli-'));
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

const REQS = [
  'Review FastAPI endpoints for missing input validation and authentication.',
  'A code reviewer for React and TypeScript pull requests that checks hooks usage.',
  'Review  FastAPI endpoints for missing input validation and authentication. ',
];

describe('cache commands (functions)', () => {
  it('knows the namespaces', () => {
    expect(parseNamespace('research')).toBe('research');
    expect(() => parseNamespace('nope')).toThrow(/analysis, research, templates, agents/);
  });

  it('stores plans and docs answers under the keys the stage workers read, once per distinct key', async () => {
    const prefix = testPrefix();
    const worker = new Redis(server.url);
    const cache = new SharedCache({ redis: worker, prefix });
    const docs = new LocalDocsSource();
    const requirements = REQS.map((requirement) => ({ requirement }));
    const summary = await warmCache(cache, requirements, { docs });
    expect(summary).toMatchObject({ requirements: 3, analyses: 2, failed: [] });
    for (const req of requirements) {
      const stored = await readStored(redis, valueKey(prefix, 'analysis', analysisCacheKey(req)));
      expect(JSON.parse(stored?.json ?? 'null')).toEqual(JSON.parse(JSON.stringify(planRequirement(req))));
    }
    const plan = planRequirement(requirements[0]!);
    const pairs = researchTargets(plan.analysis).map((t) => researchCacheKey(t.libraryId, researchTopic(plan.analysis)));
    expect(pairs.length).toBeGreaterThan(0);
    for (const key of pairs) expect(await redis.exists(valueKey(prefix, 'research', key))).toBe(1);
    expect(summary.docsAnswers).toBeGreaterThanOrEqual(pairs.length);
    // A second warm computes nothing.
    await warmCache(cache, requirements, { docs });
    await cache.close();
    const stats = await cacheStats(redis, prefix);
    expect(stats.namespaces.analysis.computed).toBe(2);
    expect(stats.namespaces.research.computed).toBe(summary.docsAnswers);
    // What each namespace keeps in Redis: under SIZE_SAMPLE entries, the exact sum of MEMORY USAGE.
    const sizes = await cacheSizes(redis, prefix);
    const plans = await redis.keys(`${prefix}:cache:analysis:*`);
    const exact = (await Promise.all(plans.map((k) => redis.memory('USAGE', k, 'SAMPLES', 0)))).reduce((a: number, b) => a + Number(b), 0);
    expect(sizes.analysis).toEqual({ entries: 2, bytes: exact });
    expect(sizes.research.entries).toBe(summary.docsAnswers);
    expect(sizes.agents).toEqual({ entries: 0, bytes: 0 });
    const table = formatCacheStats(stats, sizes);
    expect(table).toMatch(/^namespace\s+entries\s+in Redis\s+memory hits\s+redis hits\s+misses\s+computed\s+waited\s+stale served\s+hit rate\nanalysis\s+2\s+0\.0 MB\s+\d+\s+\d+\s+\d+\s+2\s+\d+\s+0\s+\d+\.\d%/);
    expect(table).toContain('duplicate computes: none');
    await worker.quit();
  });
});

describe('agent-factory cache (end to end)', () => {
  it('warms a file, shows the stats, clears a namespace and then all', async () => {
    const env = { REDIS_URL: server.url, AF_PREFIX: testPrefix(), LOG_LEVEL: 'silent' };
    const warm = await runCli(['cache', 'warm', EXAMPLES, '--json'], { env });
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    const summary = JSON.parse(warm.stdout) as { requirements: number; analyses: number; docsAnswers: number };
    expect(summary.requirements).toBe(50);
    expect(summary.analyses).toBe(50);
    expect(summary.docsAnswers).toBeGreaterThan(0);

    const stats = await runCli(['cache', 'stats'], { env });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/^analysis\s+50\s+0\.\d MB\s+0\s+0\s+50\s+50\s+0\s+0\s+0\.0%$/m);
    const json = JSON.parse((await runCli(['cache', 'stats', '--json'], { env })).stdout) as {
      namespaces: { analysis: { computed: number } };
      sizes: { analysis: { entries: number; bytes: number } };
      duplicates: unknown[];
    };
    expect(json.namespaces.analysis.computed).toBe(50);
    // 50 plans of a few KB, compressed in Redis.
    expect(json.sizes.analysis.entries).toBe(50);
    expect(json.sizes.analysis.bytes).toBeGreaterThan(50 * 500);
    expect(json.sizes.analysis.bytes).toBeLessThan(50 * 4096);
    // The duplicate-research detector: no docs call was made twice.
    expect(json.duplicates).toEqual([]);

    const cleared = await runCli(['cache', 'clear', 'analysis'], { env });
    expect(cleared.stdout).toBe('deleted 50 cached entries from analysis\n');
    const all = await runCli(['cache', 'clear', '--json'], { env });
    // Besides the docs answers: one resolution per library name the catalog does not know.
    const names = new Set(
      readFileSync(EXAMPLES, 'utf8')
        .trim()
        .split('\n')
        .flatMap((line) => unlistedLibraries(planRequirement({ requirement: (JSON.parse(line) as { requirement: string }).requirement }).analysis))
        .filter((n) => n.libraryId === undefined)
        .map((n) => n.name.toLowerCase()),
    );
    expect(names.size).toBeGreaterThan(0);
    expect(JSON.parse(all.stdout)).toEqual({ namespace: null, deleted: summary.docsAnswers + names.size });
    const bad = await runCli(['cache', 'clear', 'everything'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown cache namespace/);

    // Plain text, one requirement a line; identical lines are planned once.
    await writeFile(join(dir, 'reqs.txt'), `${REQS.join('\n')}\n`);
    const text = await runCli(['cache', 'warm', join(dir, 'reqs.txt')], { env });
    expect(text.stdout).toMatch(/^warmed 3 requirements: 2 analyses, \d+ docs answers in [\d.]+ s\n$/);
    const empty = await runCli(['cache', 'warm', join(dir, 'missing.txt')], { env });
    expect(empty.code).toBe(2);

    // Told the cache is off, warm writes nothing to it.
    await runCli(['cache', 'clear'], { env });
    const off = await runCli(['cache', 'warm', join(dir, 'reqs.txt')], { env: { ...env, AF_CACHE: 'none' } });
    expect(off.code).toBe(2);
    expect(off.stdout).toBe('');
    expect(off.stderr).toMatch(/AF_CACHE=none turns the shared cache off: nothing to warm/);
    expect(await redis.keys(`${env.AF_PREFIX}:cache:analysis:*`)).toEqual([]);
  }, 60_000);
});

describe('agent-factory cache with a worker', () => {
  it('a warmed batch takes its plans from the cache; --json stays parseable whatever is logged', async () => {
    // A Redis that keeps nothing on disk: every command warns about it, on stderr only.
    const bare = await startRedis({ appendonly: false });
    const env = { REDIS_URL: bare.url, AF_PREFIX: testPrefix() };
    const worker = await spawnWorker(env);
    type Stats = { namespaces: { analysis: { redis: number; memory: number; miss: number; computed: number } } };
    const analysis = async () => (JSON.parse((await runCli(['cache', 'stats', '--json'], { env })).stdout) as Stats).namespaces.analysis;
    const batch = async (input: string) => expect((await runCli(['submit', '-', '--wait'], { env, input })).code).toBe(0);
    try {
      // Nobody warmed analysis: the workers do not look there at all (planning costs less than a read).
      await batch('Review Go services for goroutine leaks.\nDocument the billing REST API.\n');
      expect(await analysis()).toMatchObject({ redis: 0, memory: 0, miss: 0 });

      const warm = await runCli(['cache', 'warm', EXAMPLES, '--json'], { env });
      expect(warm.stderr).toMatch(/persistence is off/);
      expect(JSON.parse(warm.stdout)).toMatchObject({ requirements: 50, analyses: 50 });
      // At once after the warm: the worker hears of it and takes the 50 plans instead of planning them again.
      const run = await runCli(['submit', EXAMPLES, '--wait', '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      const warmed = await analysis();
      expect(warmed.redis + warmed.memory).toBe(50);
      expect(warmed.computed).toBe(50);
      // A requirement that was not warmed is planned without a read: no miss for it.
      await batch('Audit Terraform modules for public S3 buckets.\n');
      expect(await analysis()).toMatchObject({ redis: warmed.redis, memory: warmed.memory, miss: warmed.miss });

      // Cleared: its counters start again, and it is cold again, not read.
      const cleared = await runCli(['cache', 'clear', 'analysis', '--json'], { env });
      expect(JSON.parse(cleared.stdout)).toEqual({ namespace: 'analysis', deleted: 50 });
      expect(await analysis()).toMatchObject({ redis: 0, memory: 0, miss: 0, computed: 0 });
      await batch('Audit Kubernetes RBAC roles for wildcards.\n');
      expect(await analysis()).toMatchObject({ redis: 0, memory: 0, miss: 0 });
    } finally {
      await worker.stop();
      await bare.stop();
    }
  }, 60_000);
});
