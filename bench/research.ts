/**
 * Research: docs calls and docs tokens per agent on a realistic batch, cold vs warm shared cache,
 * against the naive one-call-per-requirement-per-library approach; then the same batch on two worker
 * processes. Every call is counted where it lands: by the bundled docs MCP server (call-counter.ts),
 * reached over real MCP Streamable HTTP with the Context7 client.
 */
import { estimateTokens, planRequirement, research, researchTargets, researchTopic, unlistedLibraries, type Analysis, type Research, type ResearchTarget } from '@agent-factory/core';
import { CachedDocsSource, cacheStats, connect, getBatch, SharedCache, submitBatch } from '@agent-factory/queue';
import { context7Http, LocalDocsSource, type McpDocsSource } from '@agent-factory/research';
import { startDocsHttpServer, type RunningDocsHttpServer } from '@agent-factory/research/serve';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { machine, writeSection } from './benchmarks-md.js';
import { REDIS_SETTINGS, sleep, spawnWorker, startBenchRedis, type BenchRedis } from './harness.js';
import { median, percentile, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const N = Number(process.env['BENCH_RESEARCH_N'] ?? 1000);
const RUNS = Number(process.env['BENCH_RESEARCH_RUNS'] ?? 3);
/**
 * How many of the runs also send their batch through worker processes: the cluster check (calls equal
 * the distinct pairs, none twice) is a count that does not vary from run to run, and it is the slowest part.
 */
const CLUSTER_RUNS = Math.min(RUNS, Number(process.env['BENCH_RESEARCH_CLUSTER_RUNS'] ?? 1));
const WORKERS = 2;
/** Requirements in flight per worker: the research stage's default concurrency. */
const IN_FLIGHT = 20;
const PREFIX = '{afbench}';
const BATCH_TIMEOUT_MS = 120_000;

/** The bundled docs, keeping every answer the server sends (what a client reads from the source) to count its tokens afterwards. */
class MeteredDocs extends LocalDocsSource {
  readonly answers: string[] = [];

  override async queryDocs(libraryId: string, query: string): Promise<string> {
    const text = await super.queryDocs(libraryId, query);
    this.answers.push(text);
    return text;
  }
}

// Tokens are counted after the clock stops: BPE over a docs answer costs milliseconds, which would
// land in the latencies measured. Answers repeat, so each distinct text is counted once.
const tokenMemo = new Map<string, number>();
function tokensOf(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) {
    let n = tokenMemo.get(text);
    if (n === undefined) tokenMemo.set(text, (n = estimateTokens(text)));
    total += n;
  }
  return total;
}

interface Server {
  http: RunningDocsHttpServer;
  docs: MeteredDocs;
}

/** A fresh server per measurement, so its counter holds that measurement's calls only; one knowledge base for all. */
async function startServer(knowledge: LocalDocsSource): Promise<Server> {
  const docs = new MeteredDocs({ knowledgeBase: knowledge.knowledgeBase });
  return { http: await startDocsHttpServer({ source: docs }), docs };
}

/** What one side cost for one batch. */
interface Side {
  /** Calls counted by the server, all tools. */
  calls: number;
  resolves: number;
  /** (tool, library, query) triples the server was asked more than once. */
  duplicates: number;
  /** Tokens of the answers the server sent, per agent. */
  sourceTokens: number;
  /** Tokens handed to generation per agent (ours: compressed research; naive: the whole answers). */
  researchTokens: number;
  /** Per-requirement research latency, median and p95 (ms). */
  p50: number;
  p95: number;
  seconds: number;
  degraded: number;
}

/** Runs `task` over the items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T, i);
  }));
}

function sideOf(server: Server, latencies: number[], seconds: number, extra: { researchTokens: number; degraded: number }): Side {
  const counts = server.http.counter.snapshot();
  return {
    calls: counts.total,
    resolves: counts.byTool['resolve-library-id'] ?? 0,
    duplicates: counts.duplicates.length,
    sourceTokens: tokensOf(server.docs.answers) / latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    seconds,
    ...extra,
  };
}

/**
 * Ours: the research stage as the processor runs it, on WORKERS in-process workers that share Redis
 * (each its own connection, SharedCache, MCP client and CachedDocsSource), requirements dealt round-robin.
 */
async function ours(redis: BenchRedis, knowledge: LocalDocsSource, analyses: readonly Analysis[]): Promise<Side & { cacheDuplicates: number }> {
  const server = await startServer(knowledge);
  const workers = Array.from({ length: WORKERS }, () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const cache = new SharedCache({ redis: client, prefix: PREFIX });
    const mcp: McpDocsSource = context7Http({ url: server.http.url, apiKey: 'bench' });
    return { client, cache, docs: new CachedDocsSource(mcp, cache) };
  });
  try {
    const results: Research[] = [];
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      workers.map((w, k) =>
        pool(analyses.filter((_, i) => i % WORKERS === k), IN_FLIGHT, async (analysis) => {
          const t = performance.now();
          results.push(await research(analysis, w.docs));
          latencies.push(performance.now() - t);
        }),
      ),
    );
    const seconds = (performance.now() - start) / 1000;
    await Promise.all(workers.map((w) => w.cache.flushStats()));
    const researchTokens = results.reduce((n, r) => n + r.tokens, 0) / results.length;
    const degraded = results.filter((r) => r.degraded.length > 0).length;
    return { ...sideOf(server, latencies, seconds, { researchTokens, degraded }), cacheDuplicates: (await cacheStats(redis.client, PREFIX)).duplicates.length };
  } finally {
    for (const w of workers) {
      await w.docs.close();
      await w.cache.close();
      w.client.disconnect();
    }
    await server.http.close();
  }
}

/** The libraries research reads for an analysis, without asking the source (synthetic requirements name only catalog libraries). */
function libraries(analysis: Analysis): ResearchTarget[] {
  const named = unlistedLibraries(analysis).flatMap((n) => (n.libraryId ? [{ libraryId: n.libraryId, name: n.name }] : []));
  return researchTargets(analysis, [], named);
}

/** Naive: one query-docs call per requirement per library, the requirement as the query, nothing cached; the whole answers go to generation. */
async function naive(knowledge: LocalDocsSource, analyses: readonly Analysis[]): Promise<Side> {
  const server = await startServer(knowledge);
  const mcp = context7Http({ url: server.http.url, apiKey: 'bench' });
  try {
    const latencies: number[] = [];
    const prompts: string[] = [];
    const start = performance.now();
    await pool(analyses, WORKERS * IN_FLIGHT, async (analysis) => {
      const t = performance.now();
      const answers = await Promise.all(libraries(analysis).map((lib) => mcp.queryDocs(lib.libraryId, analysis.requirement)));
      prompts.push(answers.join('\n\n'));
      latencies.push(performance.now() - t);
    });
    const seconds = (performance.now() - start) / 1000;
    return sideOf(server, latencies, seconds, { researchTokens: tokensOf(prompts) / analyses.length, degraded: 0 });
  } finally {
    await mcp.close();
    await server.http.close();
  }
}

interface ClusterRun {
  pairs: number;
  calls: number;
  duplicates: number;
  cacheDuplicates: number;
  naiveCalls: number;
  seconds: number;
}

/** The batch through WORKERS `agent-factory worker` processes (research from the server as if it were Context7), counted by the server. */
async function cluster(redis: BenchRedis, knowledge: LocalDocsSource, requirements: readonly string[], analyses: readonly Analysis[]): Promise<ClusterRun> {
  await redis.flush();
  const server = await startServer(knowledge);
  const env = { REDIS_URL: redis.url, AF_PREFIX: PREFIX, AF_PROVIDER: 'offline', AF_RESEARCH: 'context7', CONTEXT7_URL: server.http.url, CONTEXT7_API_KEY: 'bench' };
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker(env)));
  const conn = await connect({ redisUrl: redis.url, prefix: PREFIX }, { logger: pino({ level: 'error' }) });
  try {
    const start = performance.now();
    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })));
    const deadline = Date.now() + BATCH_TIMEOUT_MS;
    for (;;) {
      const status = await getBatch(conn, batch.id);
      if (status?.state === 'completed') {
        if (status.counts.completed !== requirements.length) throw new Error(`cluster: ${JSON.stringify(status.counts)} of ${requirements.length}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`cluster: not done after ${BATCH_TIMEOUT_MS} ms`);
      await sleep(100);
    }
    const seconds = (performance.now() - start) / 1000;
    const pairs = new Set(analyses.flatMap((a) => libraries(a).map((t) => JSON.stringify([t.libraryId, researchTopic(a)]))));
    const counts = server.http.counter.snapshot();
    return {
      pairs: pairs.size,
      calls: counts.total,
      duplicates: counts.duplicates.length,
      cacheDuplicates: (await cacheStats(redis.client, PREFIX)).duplicates.length,
      naiveCalls: analyses.reduce((n, a) => n + libraries(a).length, 0),
      seconds,
    };
  } finally {
    await conn.close();
    await Promise.all(workers.map((w) => w.stop()));
    await server.http.close();
  }
}

const wallStart = performance.now();
// The machine may be shared: the load around the run goes into the section with the figures.
const loadBefore = loadavg()[0] ?? 0;
const redis = await startBenchRedis();
const knowledge = new LocalDocsSource();
const runs: { cold: Side & { cacheDuplicates: number }; warm: Side & { cacheDuplicates: number }; naive: Side }[] = [];
const clusterRuns: ClusterRun[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const requirements = syntheticRequirements(N, 42 + run);
    const analyses = requirements.map((requirement) => planRequirement({ requirement }).analysis);
    await redis.flush();
    const cold = await ours(redis, knowledge, analyses);
    const warm = await ours(redis, knowledge, analyses);
    const naiveSide = await naive(knowledge, analyses);
    const clusterRun = run < CLUSTER_RUNS ? await cluster(redis, knowledge, requirements, analyses) : undefined;
    runs.push({ cold, warm, naive: naiveSide });
    if (clusterRun) clusterRuns.push(clusterRun);
    process.stderr.write(
      `run ${run + 1}/${RUNS}: calls cold ${cold.calls}, warm ${warm.calls}, naive ${naiveSide.calls}${clusterRun ? `; cluster ${clusterRun.calls} for ${clusterRun.pairs} pairs` : ''} (${((performance.now() - wallStart) / 1000).toFixed(0)} s)\n`,
    );
  }
} finally {
  await redis.stop();
}
const wall = (performance.now() - wallStart) / 1000;
const loadAfter = loadavg()[0] ?? 0;

type Pick = (r: (typeof runs)[number]) => number;
const med = (pick: Pick): number => median(runs.map(pick));
const spr = (pick: Pick, digits = 0): string => spread(runs.map(pick), digits);
const per1000 = (calls: number): number => (calls * 1000) / N;
const ratio = (a: number, b: number): string => (b === 0 ? '—' : (a / b).toFixed(3));
const row = (label: string, naiveOf: Pick, coldOf: Pick, warmOf: Pick, digits = 0): string =>
  `| ${label} | ${med(naiveOf).toFixed(digits)} | ${spr(naiveOf, digits)} | **${med(coldOf).toFixed(digits)}** | ${spr(coldOf, digits)} | **${med(warmOf).toFixed(digits)}** | ${spr(warmOf, digits)} | ${ratio(med(coldOf), med(naiveOf))} |`;

const section = [
  '## Research: docs calls and tokens per agent, cold vs warm cache, vs naive',
  '',
  `Machine: ${machine()}; Redis ${redis.version}. Redis: ${REDIS_SETTINGS}. ${RUNS} runs, each a new batch of ${N.toLocaleString('en')} synthetic requirements (\`bench/synthetic.ts\`, seed 42 + run); figures are medians of the runs, spreads min–max. Whole benchmark: ${wall.toFixed(0)} s; 1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadAfter.toFixed(1)} at the end (latencies and wall times are only as quiet as the machine was; call and token counts do not depend on it).`,
  '',
  `Docs source: the bundled docs MCP server (\`startDocsHttpServer\`, what \`agent-factory docs-server --http\` runs) in the benchmark process on 127.0.0.1, a new one per measurement, reached over real MCP Streamable HTTP by the Context7 client (\`context7Http\`). The server counts every tool call per (tool, library, query) (\`call-counter.ts\`) and the tokens of every docs answer it sends (\`estimateTokens\`): what a client reads from the source.`,
  '',
  `- **Ours**: the research stage (\`research()\`, as the research processor calls it) on ${WORKERS} workers in this process sharing the private Redis — each its own connection, \`SharedCache\` (defaults: 7-day TTL, 30-day stale window), MCP client and \`CachedDocsSource\` — ${IN_FLIGHT} requirements in flight each (the stage's default concurrency), requirements dealt round-robin. **Cold**: Redis flushed. **Warm**: the same batch again on two new workers (empty memory tier: every pair from Redis).`,
  `- **Naive**: one \`query-docs\` call per requirement per library (the same libraries ours reads), the requirement as the query, no cache, ${WORKERS * IN_FLIGHT} requirements in flight; the whole answers are what generation would get.`,
  `- Research tokens handed to generation: ours the compressed research (\`research.tokens\`, budget 1,500); naive the answers concatenated.`,
  '',
  `| per batch of ${N.toLocaleString('en')} | naive | spread | ours cold | spread | ours warm | spread | cold ÷ naive |`,
  '|---|---|---|---|---|---|---|---|',
  row('docs source calls per 1,000 agents (server count)', (r) => per1000(r.naive.calls), (r) => per1000(r.cold.calls), (r) => per1000(r.warm.calls)),
  row('of which resolve-library-id', (r) => r.naive.resolves, (r) => r.cold.resolves, (r) => r.warm.resolves),
  row('docs tokens read from the source per agent', (r) => r.naive.sourceTokens, (r) => r.cold.sourceTokens, (r) => r.warm.sourceTokens),
  row('research tokens handed to generation per agent', (r) => r.naive.researchTokens, (r) => r.cold.researchTokens, (r) => r.warm.researchTokens),
  row('research latency per agent, median ms', (r) => r.naive.p50, (r) => r.cold.p50, (r) => r.warm.p50, 1),
  row('research latency per agent, p95 ms', (r) => r.naive.p95, (r) => r.cold.p95, (r) => r.warm.p95, 1),
  row('batch wall time, s', (r) => r.naive.seconds, (r) => r.cold.seconds, (r) => r.warm.seconds, 2),
  row('(tool, library, query) asked twice: server counter', (r) => r.naive.duplicates, (r) => r.cold.duplicates, (r) => r.warm.duplicates),
  `| keys computed twice: \`cache stats\` duplicates | — (no cache) | | **${med((r) => r.cold.cacheDuplicates)}** | ${spr((r) => r.cold.cacheDuplicates)} | **${med((r) => r.warm.cacheDuplicates)}** | ${spr((r) => r.warm.cacheDuplicates)} | |`,
  row('requirements with degraded research', (r) => r.naive.degraded, (r) => r.cold.degraded, (r) => r.warm.degraded),
  '',
  `Cluster: ${CLUSTER_RUNS === RUNS ? 'the same batches' : CLUSTER_RUNS === 1 ? "the first run's batch" : `the first ${CLUSTER_RUNS} runs' batches`} through ${WORKERS} \`agent-factory worker\` processes (all four stages, default concurrency, offline generator, \`AF_RESEARCH=context7\` with \`CONTEXT7_URL\` at the server; Redis flushed first), timed from submit to completed:`,
  '',
  '| run | requirements | distinct (library, topic) pairs | docs calls counted by the server | naive calls (one per requirement per library) | ours ÷ naive | asked twice (server / cache stats) | batch s |',
  '|---|---|---|---|---|---|---|---|',
  ...clusterRuns.map((c, i) => `| ${i + 1} | ${N} | ${c.pairs} | **${c.calls}** | ${c.naiveCalls} | ${ratio(c.calls, c.naiveCalls)} | ${c.duplicates} / ${c.cacheDuplicates} | ${c.seconds.toFixed(1)} |`),
  '',
  `${clusterRuns.length > 1 ? 'Median docs' : 'Docs'} calls per 1,000 agents on the cluster: **${per1000(median(clusterRuns.map((c) => c.calls))).toFixed(0)}**${clusterRuns.length > 1 ? ` (spread ${spread(clusterRuns.map((c) => per1000(c.calls)))})` : ` (one run: a count, not a timing, set by the batch's distinct pairs; the table above has the median of ${RUNS} runs on ${WORKERS} workers in this process)`} vs naive ${per1000(median(clusterRuns.map((c) => c.naiveCalls))).toFixed(0)}, ratio ${ratio(median(clusterRuns.map((c) => c.calls)), median(clusterRuns.map((c) => c.naiveCalls)))}. A call count equal to the distinct pairs and no duplicates mean exactly one call per pair across the cluster.`,
].join('\n');

writeSection('research', section);
process.stdout.write(`${section}\n`);
