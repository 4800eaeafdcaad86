import {
  planRequirement,
  researchPlan,
  type Cache,
  type CacheNamespace,
  type DocsSource,
  type Plan,
  type PipelineOptions,
  type Requirement,
} from '@agent-factory/core';
import {
  analysisCacheKey,
  CACHE_ENV,
  CACHE_NAMESPACES,
  CachedDocsSource,
  cacheSettingsFromEnv,
  cacheSizes,
  cacheStats,
  clearCache,
  formatBytes,
  researchCacheKey,
  researchCacheOptions,
  SharedCache,
  type CacheStats,
  type FactoryConnection,
  type NamespaceSize,
} from '@agent-factory/queue';
import type { Command } from 'commander';
import { loadConfig, loadResearchSettings } from '../config.js';
import { createResearch } from '../docs-source.js';
import { readRequirements } from '../read-requirements.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';

const WARM_CONCURRENCY = 16;

const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/**
 * The stats as a table: namespace, entries in Redis and their memory, memory hits, redis hits,
 * misses and how they ended — computed (calls that reached the source), waited (for another
 * caller's compute), stale answers served —, hit rate; a total row last; then any entry computed twice.
 */
export function formatCacheStats(stats: CacheStats, sizes: Record<CacheNamespace, NamespaceSize>): string {
  const header = ['namespace', 'entries', 'in Redis', 'memory hits', 'redis hits', 'misses', 'computed', 'waited', 'stale served', 'hit rate'];
  const total = Object.values(sizes).reduce((sum, s) => ({ entries: sum.entries + s.entries, bytes: sum.bytes + s.bytes }), { entries: 0, bytes: 0 });
  const rows = [...CACHE_NAMESPACES.map((ns) => [ns, stats.namespaces[ns], sizes[ns]] as const), ['total', stats.total, total] as const].map(([name, s, z]) => [
    name,
    String(z.entries),
    formatBytes(z.bytes),
    String(s.memory),
    String(s.redis),
    String(s.miss),
    String(s.computed),
    String(s.waited),
    String(s.stale),
    percent(s.hitRate),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Names left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const duplicates =
    stats.duplicates.length === 0
      ? 'duplicate computes: none (no entry was computed more than once)'
      : `duplicate computes (the same entry computed more than once within its TTL):\n${stats.duplicates.map((d) => `  ${d.namespace} ${d.label}: ${d.computes} times`).join('\n')}`;
  return [line(header), ...rows.map(line), '', duplicates].join('\n');
}

/** A namespace argument, checked. */
export function parseNamespace(text: string): CacheNamespace {
  const ns = CACHE_NAMESPACES.find((n) => n === text);
  if (!ns) throw new UsageError(`unknown cache namespace "${text}" (namespaces: ${CACHE_NAMESPACES.join(', ')})`);
  return ns;
}

export interface WarmSummary {
  requirements: number;
  /** Distinct plans now in the 'analysis' namespace. */
  analyses: number;
  /** Distinct (library, query) docs answers now in the 'research' namespace. */
  docsAnswers: number;
  /** Docs answers that failed (not cached; a batch will try them again). */
  failed: string[];
}

/**
 * The seed's preload: the analyze and research stages for every requirement, stored in the cache under
 * the shared keys (analysisCacheKey; researchCacheKey per docs answer, as CachedDocsSource reads them),
 * so a batch that follows spends no docs calls on them.
 */
export async function warmCache(
  cache: Cache & Pick<SharedCache, 'markWarmed'>,
  requirements: readonly Requirement[],
  deps: { docs?: DocsSource; options?: PipelineOptions; concurrency?: number } = {},
): Promise<WarmSummary> {
  const options = deps.options ?? {};
  const analyses = new Set<string>();
  const answers = new Set<string>();
  const failed = new Set<string>();
  const cached = deps.docs ? new CachedDocsSource(deps.docs, cache) : undefined;
  // Counts the (library, query) answers that made it into the cache; failed ones are not cached.
  const docs: DocsSource | undefined = cached && {
    name: cached.name,
    resolveLibrary: (name, query) => cached.resolveLibrary(name, query),
    queryDocs: async (libraryId, query) => {
      const text = await cached.queryDocs(libraryId, query);
      answers.add(researchCacheKey(libraryId, query));
      return text;
    },
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < requirements.length; i = next++) {
      const req = requirements[i];
      if (!req) continue;
      const key = analysisCacheKey(req, options);
      const plan = await cache.getOrCompute<Plan>('analysis', key, () => Promise.resolve(planRequirement(req, options)));
      analyses.add(key);
      if (!docs) continue;
      const research = await researchPlan(plan, docs, options);
      for (const reason of research.degraded) if (/ failed: /.test(reason)) failed.add(reason);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? WARM_CONCURRENCY, requirements.length) }, worker));
  // The workers' analyze stage reads only the plans it is told were warmed.
  if (analyses.size > 0) await cache.markWarmed('analysis', [...analyses]);
  return { requirements: requirements.length, analyses: analyses.size, docsAnswers: answers.size, failed: [...failed] };
}

/** `agent-factory cache stats | clear [NAMESPACE] | warm FILE`. */
export function registerCache(program: Command): void {
  const cache = program.command('cache').description('The shared cache: hit rates, clearing, warming ahead of a batch (REDIS_URL, AF_PREFIX).');

  cache
    .command('stats')
    .description('Entries and memory in Redis, hits and misses per namespace and layer, across every worker.')
    .option('--json', 'print the numbers as JSON')
    .action(async (flags: { json?: boolean }) => {
      const [stats, sizes] = await withQueue((conn) => Promise.all([cacheStats(conn.redis, conn.config.prefix), cacheSizes(conn.redis, conn.config.prefix)]), { readOnly: true });
      process.stdout.write(`${flags.json ? JSON.stringify({ ...stats, sizes }, null, 2) : formatCacheStats(stats, sizes)}\n`);
    });

  cache
    .command('clear')
    .description(`Delete cached entries of one namespace (${CACHE_NAMESPACES.join(', ')}) or of all, and reset their hit and miss counters.`)
    .argument('[namespace]', 'the namespace to clear; all when omitted')
    .option('--json', 'print the count as JSON')
    .action(async (namespace: string | undefined, flags: { json?: boolean }) => {
      const ns = namespace === undefined ? undefined : parseNamespace(namespace);
      const deleted = await withQueue((conn) => clearCache(conn.redis, conn.config.prefix, ns));
      process.stdout.write(flags.json ? `${JSON.stringify({ namespace: ns ?? null, deleted })}\n` : `deleted ${deleted} cached ${deleted === 1 ? 'entry' : 'entries'}${ns ? ` from ${ns}` : ''}\n`);
    });

  cache
    .command('warm')
    .description('Run analysis and research for a file of requirements ahead of a batch, as submit would read it.')
    .argument('<file>', 'requirements: JSONL, CSV (a requirement column) or plain text (one a line); "-" reads stdin')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      // The cache it was told is off is not written to: workers started with the same setting would never read it.
      if (!cacheSettingsFromEnv().enabled) {
        throw new UsageError(`${CACHE_ENV.enabled}=${process.env[CACHE_ENV.enabled] ?? ''} turns the shared cache off: nothing to warm (unset ${CACHE_ENV.enabled} to warm the cache the workers read)`);
      }
      const config = loadConfig();
      // As workers read them: warmed answers live as long, and are fetched as they would fetch them.
      const settings = loadResearchSettings();
      const requirements = await readRequirements(file);
      const { docs, extraLibraries } = createResearch(config, settings);
      const started = performance.now();
      try {
        const summary = await withQueue(async (conn) => {
          const shared = new SharedCache({ redis: conn.redis, prefix: conn.config.prefix, ...researchCacheOptions(settings) });
          try {
            return await warmCache(shared, requirements, { docs, options: { models: config.AF_AGENT_MODELS, extraLibraries } });
          } finally {
            await shared.close();
          }
        });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else {
          process.stdout.write(`warmed ${summary.requirements} requirements: ${summary.analyses} analyses, ${summary.docsAnswers} docs answers in ${seconds} s\n`);
          for (const reason of summary.failed) process.stdout.write(`  not cached: ${reason}\n`);
        }
        if (summary.failed.length > 0) process.exitCode = 1;
      } finally {
        await docs?.close?.();
      }
    });
}
