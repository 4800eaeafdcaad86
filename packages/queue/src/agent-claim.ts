import type { SharedCache } from './cache.js';
import type { PackedValue } from './cache-codec.js';
import type { ClaimAttempt, ClaimStep } from './cache-lock.js';
import { memberId, llmBatchKeys } from './batch-mode/keys.js';
import { batchKeys, itemKey } from './keys.js';
import { ITEM_FIELDS } from './item-fields.js';
import type { AgentWrite } from './items.js';
import { ParkedError } from './errors.js';
import type { StageContext } from './processors/context.js';
import { itemJobIds, stageJobId, type StageJobData } from './queues.js';
import { StoredResultSchema, type StoredResult } from './result-codec.js';
import { claimHolderAliveScript } from './scripts/claim-holder-alive.js';
import { wakeParked } from './wake-parked.js';

// Single-flight for finished agents across batches. The analyze stage of an item that finds no agent
// claims its key and goes on to generate it; an item of another batch that finds the claim held parks
// its analyze job (no attempt spent) and looks again, until the agent is there (reused as a cache
// hit) or the claimer can no longer deliver it (the waiter then claims it and generates itself). The
// claim ends with its item: validate stores the agent (dropping the claim) or releases it (a degraded
// agent is not cached), markFailed releases it; an item ended by its batch's cancel leaves a claim
// whose waiters, woken by the cancel, see its item ended and take it over.
//
// A waiter takes over only from a claimer that cannot deliver, never from a slow one: its item ended,
// its batch is cancelled or gone, or the item has no job left to run and no Message Batches request
// (removed by hand, or failed for good with its failure not yet recorded). A wall-clock lease would
// hand the claim to a waiter while a live claimer still waits behind thousands of generate jobs, or
// for a Message Batch (up to 24 h), and both would generate (billed twice). Hence each look checks the
// claimer in one script, and while it is alive renews its claim (claim-holder-alive.ts): a waited-for
// claim never lapses under a live claimer, the renewal outlasting the waiter's next look. The lease
// (AF_AGENT_CLAIM_MS) then bounds only a claim nobody waits on: one left by a cancelled or deleted
// batch (some 150 bytes, gone at the next look of an identical requirement), or one a claimer still
// queued outlived, after which an identical requirement generates too; so it is long by default.
// A dead worker is no reason either: its stalled job runs again elsewhere, as the same holder.
//
// A waiter's looks grow apart up to PARK_MAX_MS; so that the claim's end is not waited out that long,
// each look also notes the waiter's job on the claim (some 260 bytes per claim waited on, while it
// lasts, and the set's key on the claimer's item record), and the claimer that stores its agent or
// gives up wakes the noted jobs (promoting them from delayed), as does the cancel of its batch, which
// finds them through the record. Best effort: a waiter not woken (parked just as the claim ended, or
// its item ended by a worker that found its batch cancelled) looks again on its own schedule.

/** A parked job's first wait; each park doubles it, up to PARK_MAX_MS. */
export const PARK_FIRST_MS = 200;
export const PARK_MAX_MS = 10_000;

/** The agents-cache key of an item: its requirement key and what else shapes the file. */
export const agentCacheKey = (ctx: Pick<StageContext, 'agentCacheSuffix'>, data: Pick<StageJobData, 'k'>): string => `${data.k}-${ctx.agentCacheSuffix}`;

/** Who holds a claim: the batch and requirement key of the item generating the agent. */
const holderOf = (data: Pick<StageJobData, 'b' | 'k'>): string => `${data.b} ${data.k}`;

/**
 * Whether the claim is still `holder`'s and its item can still deliver the agent (see above); if so the
 * claim is renewed for the lease, and at least until after the waiter's next look, and the waiter's
 * job is noted on it to be woken.
 */
async function holderAlive(ctx: Pick<StageContext, 'conn'>, keys: ClaimKeys, holder: string, waiter: StageJobData): Promise<boolean> {
  const [b, k] = holder.split(' ');
  if (!b || !k) return false;
  const { conn } = ctx;
  const batch = batchKeys(conn.config.prefix, b);
  const jobs = itemJobIds(b, k).map(([stage, id]) => conn.queues[stage].toKey(id));
  const members = ([1, 2] as const).map((a) => llmBatchKeys(conn.config.prefix).member(memberId({ b, k, a })));
  const renewMs = Math.max(conn.config.agentClaimMs, 2 * PARK_MAX_MS);
  const list = [keys.claim, keys.waiters, batch.batch, batch.results, itemKey(conn.config.prefix, b, k), ...jobs, ...members];
  return (await claimHolderAliveScript.run(conn.redis, list, [holder, k, renewMs, jobs.length, stageJobId('analyze', waiter), ITEM_FIELDS.claimWaiters])) === 1;
}

/** The claim reusableAgent makes, for the item's load to take in the same command (loadItem); none without a cache, or when this process's memory has the agent. */
export function agentClaimStep(ctx: Pick<StageContext, 'conn' | 'cache' | 'agentCacheSuffix'>, data: StageJobData): ClaimStep | undefined {
  return ctx.cache?.claimStep('agents', agentCacheKey(ctx, data), holderOf(data), { leaseMs: ctx.conn.config.agentClaimMs });
}

/**
 * A finished agent to reuse for the item, or undefined when the item is to generate it (it then holds
 * the claim, unless the batch skips the cache). Throws ParkedError while another item generates it.
 * `atLoad`: what the claim found when the item's load made it (agentClaimStep).
 */
export async function reusableAgent(ctx: StageContext, data: StageJobData, useCache: boolean, label: string, atLoad?: ClaimAttempt): Promise<StoredResult | undefined> {
  if (!ctx.cache || !useCache) return undefined;
  const key = agentCacheKey(ctx, data);
  const holder = holderOf(data);
  const parks = data.w ?? 0;
  const options = { leaseMs: ctx.conn.config.agentClaimMs, waiting: parks > 0, label };
  let found = atLoad ? await ctx.cache.claimed<unknown>('agents', key, atLoad, options) : await ctx.cache.claim<unknown>('agents', key, holder, options);
  if (found.kind === 'held' && !(await holderAlive(ctx, ctx.cache.claimKeys('agents', key), found.holder, data))) {
    // Replaced only if it still names that holder: of two waiters that found it dead, one takes it over.
    found = await ctx.cache.claim<unknown>('agents', key, holder, { ...options, waiting: true, replace: found.holder });
  }
  if (found.kind === 'held') throw new ParkedError(Math.min(PARK_MAX_MS, PARK_FIRST_MS * 2 ** parks), `waiting for the identical requirement ${found.holder} to generate its agent`);
  if (found.kind === 'claimed') return undefined;
  const cached = StoredResultSchema.safeParse(found.value);
  return cached.success && cached.data.s === 'completed' ? cached.data : undefined;
}

type ClaimKeys = ReturnType<SharedCache['claimKeys']>;

/**
 * Drops the item's claim without an agent (a failure, or a degraded agent that is not cached), then
 * wakes the jobs parked on it, which finalizeItem took as it ended the item (`waiters`): their next
 * look takes the claim over and generates the agent.
 */
export async function releaseAgentClaim(ctx: Pick<StageContext, 'conn' | 'cache' | 'agentCacheSuffix'>, data: StageJobData, waiters: readonly string[]): Promise<void> {
  if (!ctx.cache) return;
  await ctx.cache.releaseClaim('agents', agentCacheKey(ctx, data), holderOf(data));
  await wakeParked(ctx.conn, waiters);
}

/** The write that stores the item's finished agent in the cache, dropping its claim and taking its waiters, in the step that ends the item (finalizeItem); none without a cache. */
export function agentWrite(ctx: Pick<StageContext, 'cache' | 'agentCacheSuffix'>, data: StageJobData, packed: PackedValue & { stored: Buffer }): AgentWrite | undefined {
  if (!ctx.cache) return undefined;
  const key = agentCacheKey(ctx, data);
  return { write: ctx.cache.packedWrite('agents', key, packed, holderOf(data)), stored: packed.stored, waiters: ctx.cache.claimKeys('agents', key).waiters };
}

/** Wakes the jobs parked on the item's claim, which finalizeItem took (`waiters`) as it stored the agent (agentWrite) and dropped the claim. */
export async function agentStored(ctx: Pick<StageContext, 'conn'>, waiters: readonly string[]): Promise<void> {
  await wakeParked(ctx.conn, waiters);
}
