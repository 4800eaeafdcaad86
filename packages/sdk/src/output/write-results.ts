import { createWriteStream } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { relative } from 'node:path';
import { batchResults, type FactoryConnection, type ItemResult } from '@agent-factory/queue/client';
import { contentHash } from './content-hash.js';
import { checkIndexFree } from './index-owner.js';
import { OutputFolder, type OutputFolderOptions } from './output-folder.js';
import type { WrittenAgent } from './write-agent.js';

/** Agent files written at once; index.json still follows input order. */
const WINDOW = 32;

export interface ResultsSummary {
  out: string;
  index: string;
  inputs: number;
  /** Distinct agent files the batch's results are (written now, or already in the folder). */
  files: number;
  /** Of those, the files the folder held already, identical (the batch collected there before). */
  unchanged: number;
  completed: number;
  failed: number;
  cancelled: number;
  pending: number;
  /** Completed agents whose gates did not all pass. */
  notPassed: number;
  /** Dry run without `onDiff`: the unified diff of what would be written. */
  diff?: string;
}

// Each entry names its batch, so a folder's index says whose it is (index-owner.ts).
type IndexEntry = { batch: string } & (
  | (Pick<ItemResult, 'gates' | 'passed' | 'tier' | 'tokens' | 'usage' | 'costUsd' | 'timings' | 'degraded' | 'worker' | 'cached' | 'traceId'> & { file: string; name: string })
  // A failed or cancelled requirement's usage and costUsd: what its drafts were billed before it ended.
  | (Pick<ItemResult, 'usage' | 'costUsd' | 'traceId'> & { state: string; error: string })
);

const UNFINISHED: Record<string, string> = { pending: 'not finished yet', failed: 'failed', cancelled: 'the batch was cancelled' };

/** Refuses, before any agent is written, a folder named index.json: the agents would be written and then the index refused (EISDIR). */
async function checkIndexTarget(path: string): Promise<void> {
  if ((await lstat(path).catch(() => undefined))?.isDirectory()) throw new Error(`${path} is a folder: move it away to write the results there`);
}

/**
 * Writes every completed agent of a batch into `out` (agent names unique across the folder, never
 * overwriting; a file the folder already holds, identical, is reused) and `index.json` mapping each input id to its file (relative to `out`) and report, or
 * to its error, each entry naming the batch (an index.json there that is not this batch's is refused: checkIndexFree); in the plugin layout, plugin.json too. Identical requirements share one result, so
 * their content is identical: the file is written once and every id maps to it.
 */
export async function writeBatchResults(conn: FactoryConnection, batchId: string, out: string, options: OutputFolderOptions = {}): Promise<ResultsSummary> {
  // Collected again into the same folder (partial results, then all): the same agents keep their files.
  // Another run's index.json (or the user's own) is never replaced; checked before any file is written.
  await checkIndexFree(out, batchId);
  const folder = await OutputFolder.open(out, { ...options, reuseIdentical: true });
  const indexPath = folder.pathOf('index.json');
  const indexTarget = folder.writePath('index.json');
  await checkIndexTarget(indexTarget);
  const partial = `${indexTarget}.${process.pid}.tmp`;
  const index = createWriteStream(partial);
  const summary: ResultsSummary = { out: folder.root, index: indexPath, inputs: 0, files: 0, unchanged: 0, completed: 0, failed: 0, cancelled: 0, pending: 0, notPassed: 0 };
  const files = new Map<string, Promise<WrittenAgent>>();

  const fileFor = (name: string, content: string): Promise<WrittenAgent> => {
    const hash = contentHash(content);
    let written = files.get(hash);
    if (!written) {
      written = folder.addAgent(name, content).then((agent) => {
        if (agent.unchanged) summary.unchanged++;
        return agent;
      });
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
        const { gates, passed, tier, tokens, usage, costUsd, timings, degraded, worker, cached, traceId } = r;
        return [r.inputId, { batch: batchId, file: relative(folder.root, written.path), name: written.name, gates, passed, tier, tokens, usage, costUsd, timings, degraded, worker, cached, traceId }];
      }
      return [r.inputId, { batch: batchId, state: r.state, error: r.error ?? UNFINISHED[r.state] ?? r.state, usage: r.usage, costUsd: r.costUsd, traceId: r.traceId }];
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
    await rename(partial, indexTarget);
  } catch (error) {
    index.destroy();
    await rm(partial, { force: true });
    await folder.abandon();
    throw error;
  }
  const changes = await folder.finish();
  return changes.diff === undefined ? summary : { ...summary, diff: changes.diff };
}
