import type { PackedValue } from './cache-codec.js';
import { loadItem } from './items.js';
import { ParkedError } from './errors.js';
import type { StageContext } from './processors/context.js';
import type { StageJobData } from './queues.js';
import { StoredResultSchema, type StoredResult } from './result-codec.js';

// Single-flight for finished agents across batches. The analyze stage of an item that finds no agent
// claims its key and goes on to generate it; an item of another batch that finds the claim held parks
// its analyze job (no attempt spent) and looks again, until the agent is there (reused as a cache
// hit) or the claim is gone (it then claims and generates itself). The claim ends with its item:
// validate stores the agent (dropping the claim) or releases it (a degraded agent is not cached),
// markFailed releases it; an item ended any other way (its batch cancelled or deleted) leaves a claim
// whose waiters see its item ended and take it over at their next look.

/** A parked job's first wait; each park doubles it, up to PARK_MAX_MS. */
export const PARK_FIRST_MS = 200;
export const PARK_MAX_MS = 10_000;

/** The agents-cache key of an item: its requirement key and what else shapes the file. */
export const agentCacheKey = (ctx: Pick<StageContext, 'agentCacheSuffix'>, data: Pick<StageJobData, 'k'>): string => `${data.k}-${ctx.agentCacheSuffix}`;

/** Who holds a claim: the batch and requirement key of the item generating the agent. */
const holderOf = (data: Pick<StageJobData, 'b' | 'k'>): string => `${data.b} ${data.k}`;

/** Whether a claim's item is still under way (its batch there and not cancelled, the item not ended). */
async function holderAlive(ctx: Pick<StageContext, 'conn'>, holder: string): Promise<boolean> {
  const [b, k] = holder.split(' ');
  if (!b || !k) return false;
  const item = await loadItem(ctx.conn, { b, k }, []);
  return !item.final && !item.batchGone && item.batchState !== 'cancelled';
}

/**
 * A finished agent to reuse for the item, or undefined when the item is to generate it (it then holds
 * the claim, unless the batch skips the cache). Throws ParkedError while another item generates it.
 */
export async function reusableAgent(ctx: StageContext, data: StageJobData, useCache: boolean, label: string): Promise<StoredResult | undefined> {
  if (!ctx.cache || !useCache) return undefined;
  const key = agentCacheKey(ctx, data);
  const holder = holderOf(data);
  const parks = data.w ?? 0;
  let found = await ctx.cache.claim<unknown>('agents', key, holder, { leaseMs: ctx.conn.config.agentClaimMs, waiting: parks > 0, label });
  if (found.kind === 'held' && !(await holderAlive(ctx, found.holder))) {
    found = await ctx.cache.claim<unknown>('agents', key, holder, { leaseMs: ctx.conn.config.agentClaimMs, waiting: true, replace: found.holder, label });
  }
  if (found.kind === 'held') throw new ParkedError(Math.min(PARK_MAX_MS, PARK_FIRST_MS * 2 ** parks), `waiting for the identical requirement ${found.holder} to generate its agent`);
  if (found.kind === 'claimed') return undefined;
  const cached = StoredResultSchema.safeParse(found.value);
  return cached.success && cached.data.s === 'completed' ? cached.data : undefined;
}

/** Drops the item's claim without an agent (a failure, or a degraded agent that is not cached), so a waiter generates it. */
export async function releaseAgentClaim(ctx: Pick<StageContext, 'cache' | 'agentCacheSuffix'>, data: StageJobData): Promise<void> {
  await ctx.cache?.releaseClaim('agents', agentCacheKey(ctx, data), holderOf(data));
}

/** Stores the item's finished agent in the cache, dropping its claim. */
export async function storeAgent(ctx: Pick<StageContext, 'cache' | 'agentCacheSuffix'>, data: StageJobData, packed: PackedValue): Promise<void> {
  await ctx.cache?.setPacked('agents', agentCacheKey(ctx, data), packed, undefined, holderOf(data));
}
