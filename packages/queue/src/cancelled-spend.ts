import type { DraftsSpend } from '@agent-factory/llm/costs';
import { keptDraftsSpend } from './draft-spend.js';
import { cancelItem } from './items.js';
import { batchKeys, cancelledDraftsKey } from './keys.js';
import type { Logger } from './logger.js';
import { cancelledSpendRecord } from './metrics/records.js';
import type { StageContext } from './processors/context.js';
import { DRAFT_NAMES, draftName, type DraftName, type DraftOutput, type StageOutputs } from './processors/outputs.js';
import type { StageJobData } from './queues.js';
import { decodeResult, encodeResult, spendFields, type StoredResult } from './result-codec.js';
import { chargeCancelledScript } from './scripts/charge-cancelled.js';
import { parsedJson } from './parse-json.js';

type SpendContext = Pick<StageContext, 'conn' | 'metrics' | 'prices'>;

/** An item's drafts by name: at most one per generation attempt counts. */
export type HeldDrafts = Partial<Record<DraftName, DraftOutput>>;

/** The drafts a job of an item holds: those its inputs carry, and the one it generated itself (its attempt's), if any. */
export function heldDrafts(data: Pick<StageJobData, 'a'>, inputs: Partial<StageOutputs>, own?: DraftOutput): HeldDrafts {
  const held: HeldDrafts = {};
  for (const name of DRAFT_NAMES) if (inputs[name]) held[name] = inputs[name];
  if (own) held[draftName(data.a ?? 1)] = own;
  return held;
}

/** A cancelled result's usage and dollars with this spend added; a cost unknown (an unpriced model) stays unknown. */
function plusSpend(stored: StoredResult, spend: DraftsSpend): Pick<StoredResult, 'u' | '$'> {
  const [input, output, cacheCreation, cacheRead] = stored.u ?? [0, 0, 0, 0];
  const { usage } = spend;
  const before = stored.u !== undefined && stored.$ === undefined ? null : (stored.$ ?? 0);
  const cost = before === null || spend.costUsd === null ? null : before + spend.costUsd;
  return spendFields({ input: input + usage.input, output: output + usage.output, cacheCreation: cacheCreation + usage.cacheCreation, cacheRead: cacheRead + usage.cacheRead }, cost);
}

/** What a charge found: done (charged, or nothing to charge), the item not ended yet, or its result changed meanwhile. */
type Charge = 'done' | 'unended' | 'raced';

/**
 * Adds what these drafts were billed to their item's cancelled result (index.json's usage and costUsd)
 * and to the metrics (report, Prometheus), as a failed item counts its drafts (mark-failed.ts): a paid
 * call counts whatever became of the requirement. Each draft counts once, whoever holds it (a worker
 * whose job the cancel aborted, or the cancel's drain of the drafts it took): the result names the
 * drafts it counts, and is changed only while it is the one read (charge-cancelled's compare-and-set),
 * which also deletes the cancelled-drafts entries (`pending`) these drafts came from.
 */
async function chargeItem(ctx: SpendContext, batchId: string, reqKey: string, drafts: HeldDrafts, logger: Logger, pending: readonly string[] = []): Promise<Charge> {
  const { redis, config } = ctx.conn;
  const keys = batchKeys(config.prefix, batchId);
  const drop = async (): Promise<Charge> => {
    if (pending.length > 0) await redis.hdel(cancelledDraftsKey(config.prefix), ...pending);
    return 'done';
  };
  const read = await redis.hgetBuffer(keys.results, reqKey);
  if (!read) return pending.length > 0 && (await redis.exists(keys.batch)) === 0 ? drop() : 'unended';
  const stored = decodeResult(read);
  // A completed or failed result counts its own spend.
  if (stored.s !== 'cancelled') return drop();
  const fresh = DRAFT_NAMES.filter((name) => drafts[name] !== undefined && !stored.b?.includes(name));
  const spend = keptDraftsSpend(fresh.map((name) => drafts[name]!), ctx.prices);
  const payload = spend && ctx.metrics.payload(cancelledSpendRecord({ b: batchId, k: reqKey }, spend), logger);
  if (!spend || !payload) return drop();
  const charged = encodeResult({ ...stored, ...plusSpend(stored, spend), b: [...(stored.b ?? []), ...fresh] });
  const replied = await chargeCancelledScript.run(redis, [keys.results, cancelledDraftsKey(config.prefix), ...payload.keys], [reqKey, read, charged, pending.length, ...pending, ...payload.args]);
  if (replied !== 1) return 'raced';
  ctx.metrics.observe(payload.record);
  logger.info({ batch: batchId, req: reqKey, drafts: fresh, billed: spend.usage, model: spend.model }, 'cancelled requirement: its billed drafts counted');
  return 'done';
}

/** chargeItem, read again when another holder changed the result meanwhile (a few times at most: each change counts a draft). */
async function chargeReading(ctx: SpendContext, batchId: string, reqKey: string, drafts: HeldDrafts, logger: Logger, pending?: readonly string[]): Promise<void> {
  for (let round = 0; round < 3; round++) if ((await chargeItem(ctx, batchId, reqKey, drafts, logger, pending)) !== 'raced') return;
}

/** A worker's charge: the drafts its job of a cancelled item holds (a no-op when the result is not cancelled, or counts them already). */
export async function chargeCancelled(ctx: SpendContext, data: StageJobData, drafts: HeldDrafts, logger: Logger): Promise<void> {
  if (Object.keys(drafts).length > 0) await chargeReading(ctx, data.b, data.k, drafts, logger);
}

/** Ends an item of a cancelled batch (a no-op when it has ended), its drafts' bill counted (chargeCancelled). */
export async function cancelWithSpend(ctx: SpendContext, data: StageJobData, drafts: HeldDrafts, logger: Logger): Promise<void> {
  await cancelItem(ctx.conn, data.b, data.k);
  await chargeCancelled(ctx, data, drafts, logger);
}

/** Entries read per HSCAN step. */
const SCAN_COUNT = 500;

/**
 * Charges the drafts a cancel took from the items it ended (cancelledDraftsKey: the jobs it removed
 * from the queues, the drafts kept in item records) to their cancelled results, then deletes the
 * entries, in one step per item. An entry whose item has not ended yet (a Message Batch answered
 * while its batch's cancel runs) stays for a later drain. Run by the canceller after its pages, by
 * the Message Batches collector after applying results, and by every worker now and then (what a
 * canceller that stopped half way left). Safe to run anywhere at once.
 */
export async function chargeTakenDrafts(ctx: SpendContext, logger: Logger): Promise<void> {
  const key = cancelledDraftsKey(ctx.conn.config.prefix);
  let cursor = '0';
  do {
    const [next, flat] = await ctx.conn.redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
    cursor = next;
    const items = new Map<string, { b: string; k: string; drafts: HeldDrafts; fields: string[] }>();
    for (let i = 0; i < flat.length; i += 2) {
      const field = flat[i]!;
      const [b, k, source] = field.split('\t', 3);
      if (!b || !k || !source) continue;
      const id = `${b}\t${k}`;
      let item = items.get(id);
      if (!item) items.set(id, (item = { b, k, drafts: {}, fields: [] }));
      item.fields.push(field);
      const value = flat[i + 1]!;
      // A draft by name (kept in the record, or a Message Batch answer), or a removed job's data.
      const drafts: HeldDrafts = source === 'draft1' || source === 'draft2' ? { [source]: parsedJson<DraftOutput>(value) } : (parsedJson<StageJobData>(value)?.o ?? {});
      for (const name of DRAFT_NAMES) if (drafts[name] && !item.drafts[name]) item.drafts[name] = drafts[name];
    }
    // Distinct items: their charges cannot race one another.
    await Promise.all([...items.values()].map(({ b, k, drafts, fields }) => chargeReading(ctx, b, k, drafts, logger, fields)));
  } while (cursor !== '0');
}
