import { persistOutputs } from '../items.js';
import { saveTrace } from '../tracing.js';
import { draftName } from '../processors/outputs.js';
import type { StageContext, StageWork } from '../processors/context.js';
import { startBatchCollector } from './collector.js';
import { addFlushJob } from './context.js';
import { memberId, type MemberInfo } from './keys.js';
import { isAnthropicProvider, isBatchMode } from './mode.js';
import { registerScript } from './scripts.js';

/**
 * The generate stage of a batch-mode batch: the request waits for an Anthropic Message Batch and the
 * job ends without enqueueing validate (the collector does once the result is in). False when the
 * job is realtime after all: a realtime batch, a fallback job, a provider without Message Batches,
 * or a draft that already exists (the realtime path then just enqueues validate).
 */
export async function generateInMessageBatch(ctx: StageContext, work: StageWork): Promise<boolean> {
  const { data, item } = work;
  if (data.m === 'realtime' || !isAnthropicProvider(ctx.llm)) return false;
  if (item?.fields[draftName(data.a ?? 1)] !== undefined) return false;
  if (!(await isBatchMode(ctx.conn, data.b))) return false;
  // The collector builds the request from the record, and validate reads the outputs from there too.
  const carried = Object.entries(data.o ?? {}).map(([name, output]) => [name, JSON.stringify(output)] as const);
  if (carried.length > 0 && !(await persistOutputs(ctx.conn, data, Object.fromEntries(carried)))) return true;
  const collector = await startBatchCollector(ctx.conn, ctx.llm, { logger: ctx.logger, workerId: ctx.workerId });
  const { keys, options } = collector;
  const id = memberId(data);
  const trace = ctx.conn.telemetry ? saveTrace() : undefined;
  const info: MemberInfo = { p: work.priority, t: Date.now(), ...(trace ? { c: trace } : {}) };
  // Once per member: a retried job finds it waiting or in a group and leaves it there.
  const registered = Number(await registerScript.run(ctx.conn.redis, [keys.member(id), keys.pending, keys.seq], [id, JSON.stringify(info), info.t, ctx.conn.config.retentionSeconds]));
  if (registered > 0) await collector.ensureTicker();
  if (registered > 0 && registered % options.maxRequests === 0) await addFlushJob(collector.queue, `n${registered}`);
  work.logger.debug({ member: id, registered: registered > 0 }, 'generation request waits for a Message Batch');
  return true;
}
