import { BUDGET_STAGES } from '../budget.js';
import { isMaxField, observationFields } from './histogram.js';
import { errorClass } from './error-class.js';
import { PIPELINE_STAGES, recordTokens, type RequirementRecord } from './record.js';

/** An agent past this many tokens is reported (the seed's troubleshooting threshold). */
export const OVER_TOKENS = 8000;

/** Counters are integers; dollars are kept in millionths so every process can HINCRBY them. */
export const MICRO = 1_000_000;

/** Usage kinds as counter names. */
export const USAGE_KINDS = { input: 'in', output: 'out', cacheCreation: 'cw', cacheRead: 'cr' } as const;

/** Tier label of a record: failures before analysis have none. */
export const tierLabel = (record: Pick<RequirementRecord, 'tier'>): string => record.tier ?? 'unknown';

/** Labels must not contain the field separator. */
const label = (text: string): string => text.replace(/[|\s]/g, '_');

/**
 * The counters one finished requirement adds to an aggregate (a Redis hash per minute, hour and
 * batch). Field names are `group|label|…|counter`; every label comes from a bounded set except the
 * error class, which errorClass() normalizes and cuts.
 */
export function recordFields(record: RequirementRecord): Map<string, number> {
  const f = new Map<string, number>();
  const add = (field: string, n: number): void => {
    if (n !== 0) addField(f, field, Math.round(n));
  };
  const observe = (prefix: string, ms: number): void => {
    for (const [field, n] of observationFields(prefix, ms)) add(field, n);
  };
  if (record.spendOnly) {
    addUsage(add, record);
    return f;
  }
  add('n', 1);
  add(`o|${record.outcome}`, 1);
  // A cancelled requirement was stopped, not judged: finished, but in no tier and against no rate.
  if (record.outcome === 'cancelled') return f;
  const tier = tierLabel(record);
  const tokens = recordTokens(record);
  add(`t|${tier}|n`, 1);
  if (record.outcome === 'completed') {
    const success = record.gates !== undefined && record.degraded.length === 0 && record.failingRules.length === 0;
    add(`t|${tier}|done`, 1);
    add(`t|${tier}|ok`, success ? 1 : 0);
    add(`t|${tier}|cx`, (record.complexity ?? 0) * 100);
    add(`t|${tier}|tok`, tokens);
    if (record.totalMs !== undefined) {
      add(`t|${tier}|ms`, record.totalMs);
      observe(`t|${tier}|h`, record.totalMs);
      observe('all|h', record.totalMs);
    }
    const processing = processingMs(record);
    if (processing !== undefined) observe('all|p', processing);
    if (tokens > OVER_TOKENS) add('over', 1);
  }
  for (const stage of PIPELINE_STAGES) {
    const time = record.stages[stage];
    if (!time) continue;
    add(`s|${stage}|n`, 1);
    add(`s|${stage}|wait`, time.wait);
    add(`s|${stage}|run`, time.run);
    observe(`s|${stage}|h`, time.run);
    observe(`s|${stage}|w`, time.wait);
  }
  if (Object.keys(record.budget).length > 0) add('b|n', 1);
  for (const stage of BUDGET_STAGES) add(`b|${stage}`, record.budget[stage] ?? 0);
  // Agents per model: a failed requirement's billed drafts add tokens and cost (addUsage) but no agent.
  if (record.outcome === 'completed' && record.usage && record.model) add(`u|${label(record.model)}|${record.mode ?? 'realtime'}|n`, 1);
  addUsage(add, record);
  add('cache|agents', record.cachedAgent ? 1 : 0);
  if (record.cachedAgent && record.cachedTokens !== undefined) {
    add('cache|agents|known', 1);
    add('cache|agents|tok', record.cachedTokens);
  }
  if (record.research) {
    add('r|n', 1);
    add('r|lookups', record.research.lookups);
    add('r|calls', record.research.calls);
    add('r|tokens', record.research.tokens);
    add('r|dup', record.research.duplicates);
  }
  add('retries', record.retries);
  add('deg', record.degraded.length > 0 ? 1 : 0);
  for (const reason of record.degraded) {
    if (/timed? ?out|timeout/i.test(reason)) add('deg|timeout', 1);
    if (/offline generator answered/i.test(reason)) add('deg|fallback', 1);
    if (/research/i.test(reason)) add('deg|research', 1);
  }
  for (const rule of new Set(record.failingRules)) add(`rule|${label(rule)}`, 1);
  if (record.gates) {
    add('g|n', 1);
    for (const [gate, score] of Object.entries(record.gates)) add(`g|${label(gate)}`, score * 100);
  }
  if (record.outcome === 'failed') add(`err|${errorClass(record.error ?? 'unknown error')}`, 1);
  return f;
}

/** A record's tokens by kind and cost under its model and mode (the report's cost rows). */
function addUsage(add: (field: string, n: number) => void, record: RequirementRecord): void {
  if (!record.usage || !record.model) return;
  const group = `u|${label(record.model)}|${record.mode ?? 'realtime'}`;
  for (const [kind, short] of Object.entries(USAGE_KINDS)) add(`${group}|${short}`, record.usage[kind as keyof typeof USAGE_KINDS]);
  add(`${group}|cost`, record.cost * MICRO);
  add(`${group}|rtcost`, record.realtimeCost * MICRO);
}

/**
 * A requirement's processing time: its stages' run time, queue waits excluded. Only for one the
 * pipeline generated in realtime or offline: a cached answer ran nothing, and a Message Batch's
 * generate stage lasts as long as Anthropic takes to run the batch (up to a day).
 */
function processingMs(record: RequirementRecord): number | undefined {
  if (record.outcome !== 'completed' || record.cachedAgent || record.mode === 'batch') return undefined;
  const runs = PIPELINE_STAGES.map((s) => record.stages[s]?.run).filter((ms) => ms !== undefined);
  return runs.length === 0 ? undefined : runs.reduce((a, b) => a + b, 0);
}

/** Adds one counter to an aggregate: a sum, but a histogram's maximum stays the larger. */
export function addField(into: Map<string, number>, field: string, n: number): void {
  const had = into.get(field);
  into.set(field, had === undefined ? n : isMaxField(field) ? Math.max(had, n) : had + n);
}

/** Adds aggregates together (several minutes or hours into one window). */
export function mergeFields(into: Map<string, number>, more: Readonly<Record<string, string | number>> | ReadonlyMap<string, number>): Map<string, number> {
  const entries = more instanceof Map ? more.entries() : Object.entries(more);
  for (const [field, value] of entries) addField(into, field, Number(value));
  return into;
}
