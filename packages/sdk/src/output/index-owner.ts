import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FactoryInputError } from '../errors.js';

/**
 * Whose a folder's index.json is: nobody's (none there, or an empty one: it lists nothing), a batch's
 * (its entries name it), an earlier run's that names no batch (`start` in-process, or an older
 * agent-factory), or not one agent-factory wrote (the user's own file, or not JSON).
 */
export type IndexOwner = { kind: 'none' } | { kind: 'batch'; batch: string } | { kind: 'run' } | { kind: 'foreign'; why: string };

/** An entry as agent-factory writes them: an agent's file, or a requirement's failure. */
const isEntry = (entry: unknown): entry is { batch?: unknown } => {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  const { file, error } = entry as { file?: unknown; error?: unknown };
  return typeof file === 'string' || typeof error === 'string';
};

/** Reads `dir/index.json` to say whose it is. */
export async function indexOwner(dir: string): Promise<IndexOwner> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch (error) {
    // A folder named index.json is no index; writing one there is refused with its own message.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return { kind: 'none' };
    throw error;
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch {
    return { kind: 'foreign', why: 'not JSON' };
  }
  if (typeof index !== 'object' || index === null || Array.isArray(index)) return { kind: 'foreign', why: 'not a JSON object' };
  const entries = Object.values(index);
  if (entries.length === 0) return { kind: 'none' };
  if (!entries.every(isEntry)) return { kind: 'foreign', why: 'its entries are not agent files or failures' };
  const batches = new Set(entries.map((e) => e.batch));
  const [only] = batches;
  return batches.size === 1 && typeof only === 'string' ? { kind: 'batch', batch: only } : { kind: 'run' };
}

/**
 * Refuses (FactoryInputError: the CLI's exit 2) to write `batchId`'s results into a folder whose
 * index.json is another's: replaced, it would leave that run's agent files listed in no index (and
 * `start`, which removes what an index lists, blind to them), or lose a file of the user's. The same
 * batch again is fine (its files are reused, its index rewritten); `batchId` undefined is a batch
 * not yet submitted, which no index can be. `replaceRuns`: an index agent-factory wrote may go
 * (`start`, which removes the run it lists first); only one it did not write is refused.
 */
export async function checkIndexFree(dir: string, batchId: string | undefined, options: { replaceRuns?: boolean } = {}): Promise<void> {
  const owner = await indexOwner(dir);
  if (owner.kind === 'none' || (owner.kind === 'batch' && owner.batch === batchId)) return;
  if (options.replaceRuns && owner.kind !== 'foreign') return;
  const path = join(dir, 'index.json');
  const whose =
    owner.kind === 'batch'
      ? `holds the results of batch ${owner.batch}`
      : owner.kind === 'run'
        ? 'holds an earlier run\'s results that name no batch (start, or an older agent-factory)'
        : `is not an index agent-factory wrote (${owner.why})`;
  throw new FactoryInputError(`${path} ${whose}; writing ${batchId === undefined ? 'this batch' : `batch ${batchId}`}'s index there would replace it: write to another --out folder, or move that index.json away first`);
}
