import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { once } from 'node:events';
import { withAgentName } from '@agent-factory/core';
import { batchResults, type FactoryConnection, type ItemResult } from '@agent-factory/queue';
import { AgentNames } from './agent-names.js';
import { writeAgent, type WrittenAgent } from './write-agent.js';

/** Agent files written at once; index.json still follows input order. */
const WINDOW = 32;

export interface ResultsSummary {
  out: string;
  index: string;
  inputs: number;
  files: number;
  completed: number;
  failed: number;
  cancelled: number;
  pending: number;
  /** Completed agents whose gates did not all pass. */
  notPassed: number;
}

type IndexEntry =
  | Pick<ItemResult, 'gates' | 'passed' | 'tier' | 'tokens' | 'usage' | 'costUsd' | 'timings' | 'degraded'> & { file: string; name: string }
  | { state: string; error: string };

const UNFINISHED: Record<string, string> = { pending: 'not finished yet', failed: 'failed', cancelled: 'the batch was cancelled' };

/**
 * Writes every completed agent of a batch into `out` (never overwriting: writeAgent suffixes a clash) and
 * `index.json` mapping each input id to its file and report, or to its error. Identical requirements
 * share one result, so their content is identical: the file is written once and every id maps to it.
 */
export async function writeBatchResults(conn: FactoryConnection, batchId: string, out: string): Promise<ResultsSummary> {
  const folder = resolve(out);
  await mkdir(folder, { recursive: true });
  const indexPath = join(folder, 'index.json');
  const partial = `${indexPath}.${process.pid}.tmp`;
  const index = createWriteStream(partial);
  const summary: ResultsSummary = { out: folder, index: indexPath, inputs: 0, files: 0, completed: 0, failed: 0, cancelled: 0, pending: 0, notPassed: 0 };
  const files = new Map<string, Promise<WrittenAgent>>();
  const names = await AgentNames.in(folder);

  const fileFor = (name: string, content: string): Promise<WrittenAgent> => {
    const hash = createHash('sha256').update(content).digest('base64url');
    let written = files.get(hash);
    if (!written) {
      const chosen = names.pick(name);
      written = writeAgent(folder, chosen, chosen === name ? content : withAgentName(content, chosen));
      files.set(hash, written);
      summary.files++;
    }
    return written;
  };
  // Never rejects: an error waits in the window as a value, so no rejection goes unhandled meanwhile.
  const entryFor = async (r: ItemResult): Promise<[string, IndexEntry] | Error> => {
    try {
      if (r.state === 'completed' && r.name !== undefined && r.content !== undefined) {
        const written = await fileFor(r.name, r.content);
        const { gates, passed, tier, tokens, usage, costUsd, timings, degraded } = r;
        return [r.inputId, { file: basename(written.path), name: written.name, gates, passed, tier, tokens, usage, costUsd, timings, degraded }];
      }
      return [r.inputId, { state: r.state, error: r.error ?? UNFINISHED[r.state] ?? r.state }];
    } catch (error) {
      return error as Error;
    }
  };
  const emit = async (entry: [string, IndexEntry] | Error): Promise<void> => {
    if (entry instanceof Error) throw entry;
    const line = `${summary.inputs === 0 ? '{\n' : ',\n'}  ${JSON.stringify(entry[0])}: ${JSON.stringify(entry[1])}`;
    summary.inputs++;
    if (!index.write(line)) await once(index, 'drain');
  };

  try {
    const window: Promise<[string, IndexEntry] | Error>[] = [];
    for await (const r of batchResults(conn, batchId)) {
      if (r.state === 'completed') {
        summary.completed++;
        if (r.passed === false) summary.notPassed++;
      } else summary[r.state]++;
      window.push(entryFor(r));
      if (window.length >= WINDOW) await emit(await window.shift()!);
    }
    for (const entry of window) await emit(await entry);
    index.end(summary.inputs === 0 ? '{}\n' : '\n}\n');
    await once(index, 'finish');
    await rename(partial, indexPath);
  } catch (error) {
    index.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return summary;
}

/** One line for people: what was written where. */
export function describeResults(s: ResultsSummary): string {
  const parts = [`${s.completed} completed`, `${s.failed} failed`];
  if (s.cancelled) parts.push(`${s.cancelled} cancelled`);
  if (s.pending) parts.push(`${s.pending} still pending`);
  if (s.notPassed) parts.push(`${s.notPassed} with failing gates`);
  return `wrote ${s.files} agent file(s) for ${s.inputs} input id(s) to ${s.out} (${parts.join(', ')}); index: ${s.index}`;
}
