import { inflateRawSync } from 'node:zlib';
import type { AgentResult, Usage } from '@agent-factory/core';
import { billedSpend } from '@agent-factory/llm/costs';
import { z } from 'zod';
import { ITEM_STATES, type ItemResult } from './batch.js';
import { brotliPack, brotliUnpack, isBrotliPacked } from './brotli.js';
import { DRAFT_NAMES } from './processors/outputs.js';

/**
 * A finished item as Redis keeps it: short field names, compressed. The agent file is most of it and
 * compresses about 2:1, which keeps a finished requirement well under 4 KB.
 */
export const StoredResultSchema = z.object({
  /** state */
  s: z.enum(ITEM_STATES),
  /** agent name, file content, tier, complexity score */
  n: z.string().optional(),
  c: z.string().optional(),
  t: z.string().optional(),
  x: z.number().int().optional(),
  /** gate scores, passed */
  g: z.record(z.string(), z.number()).optional(),
  p: z.boolean().optional(),
  /** total tokens, generation attempts, generator (provider/model) */
  k: z.number().int().optional(),
  a: z.number().int().optional(),
  m: z.string().optional(),
  /** milliseconds per stage */
  ms: z.record(z.string(), z.number()).optional(),
  /** tokens by kind: input, output, cache write, cache read; and US dollars (on a failed item: what its drafts were billed) */
  u: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]).optional(),
  $: z.number().optional(),
  /** degraded reasons, error */
  d: z.array(z.string()).optional(),
  e: z.string().optional(),
  /** the worker that generated the file (host:pid) */
  w: z.string().optional(),
  /** a failed item's requirement (its record's JSON): what `retry` runs again */
  r: z.string().optional(),
  /** the requirement's trace id, when its worker traced it (sampled) */
  tr: z.string().optional(),
  /** a cancelled item's drafts whose bill `u` and `$` count (each is counted once, whoever meets it: cancelled-spend.ts) */
  b: z.array(z.enum(DRAFT_NAMES)).optional(),
  /** answered from the agents cache: an identical requirement's earlier result (its worker, timings and cost are that run's) */
  h: z.literal(1).optional(),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;

/** A result packed for Redis: JSON, Brotli-compressed (about 2:1 on an agent file). */
export function encodeResult(result: StoredResult): Buffer {
  return packResult(result).stored;
}

/**
 * A result's JSON and its packed bytes, in the cache's form too (cache-codec.ts: the same marker and
 * compression), so a finished agent is compressed once for its result and its cache copy.
 */
export function packResult(result: StoredResult): { json: string; stored: Buffer } {
  const json = JSON.stringify(result);
  return { json, stored: brotliPack(Buffer.from(json)) };
}

export function decodeResult(blob: Buffer): StoredResult {
  // Results were raw deflate before Brotli: both still decode.
  const json = isBrotliPacked(blob) ? brotliUnpack(blob) : inflateRawSync(blob);
  return StoredResultSchema.parse(JSON.parse(json.toString('utf8')));
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** A stored result's billed tokens by kind and its dollars (millionths); no `$` when the cost is unknown (an unpriced model). */
export function spendFields(usage: Pick<Usage, 'input' | 'output' | 'cacheCreation' | 'cacheRead'>, costUsd?: number | null): Pick<StoredResult, 'u' | '$'> {
  return { u: [usage.input, usage.output, usage.cacheCreation, usage.cacheRead], ...(costUsd !== undefined && costUsd !== null ? { $: Math.round(costUsd * 1e6) / 1e6 } : {}) };
}

/** The stored form of a finished agent, with who generated it and what it cost. */
export function summarizeAgent(result: AgentResult, extra: { worker?: string | undefined; costUsd?: number } = {}): StoredResult {
  const { worker, costUsd } = extra;
  // The tokens the cost was priced from: after an offline fallback, the LLM attempts' (not the estimate).
  const u = billedSpend(result)?.usage ?? result.usage;
  return {
    s: 'completed',
    n: result.name,
    c: result.content,
    t: result.plan.complexity.tier,
    x: result.plan.complexity.score,
    g: Object.fromEntries(result.report.gates.map((g) => [g.gate, g.score])),
    p: result.report.passed,
    k: result.budget.total.tokens,
    a: result.attempts,
    m: `${result.generator.provider}/${result.generator.model}`,
    ms: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, round(v)])),
    ...spendFields(u, costUsd),
    ...(result.degraded.length > 0 ? { d: result.degraded } : {}),
    ...(worker ? { w: worker } : {}),
  };
}

/** One input id's outcome for `results` and the API. */
export function toItemResult(inputId: string, stored: StoredResult | undefined): ItemResult {
  if (!stored) return { inputId, state: 'pending' };
  return {
    inputId,
    state: stored.s,
    ...(stored.n !== undefined ? { name: stored.n } : {}),
    ...(stored.c !== undefined ? { content: stored.c } : {}),
    ...(stored.g !== undefined ? { gates: stored.g } : {}),
    ...(stored.p !== undefined ? { passed: stored.p } : {}),
    ...(stored.t !== undefined ? { tier: stored.t } : {}),
    ...(stored.x !== undefined ? { complexity: stored.x } : {}),
    ...(stored.k !== undefined ? { tokens: stored.k } : {}),
    ...(stored.ms !== undefined ? { timings: stored.ms } : {}),
    ...(stored.u !== undefined ? { usage: { input: stored.u[0], output: stored.u[1], cacheCreation: stored.u[2], cacheRead: stored.u[3] } } : {}),
    ...(stored.$ !== undefined ? { costUsd: stored.$ } : {}),
    ...(stored.d !== undefined ? { degraded: stored.d } : {}),
    ...(stored.w !== undefined ? { worker: stored.w } : {}),
    ...(stored.e !== undefined ? { error: stored.e } : {}),
    ...(stored.tr !== undefined ? { traceId: stored.tr } : {}),
    ...(stored.h === 1 ? { cached: true } : {}),
  };
}
