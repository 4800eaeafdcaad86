import { readFile, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { checkIndexFree, indexOwner } from '@agent-factory/sdk/output';
import { asUsageError } from './factory.js';

/** Refuses (exit 2) an --out folder whose index.json agent-factory did not write: `start` replaces only a previous run's. */
export async function checkPreviousRun(out: string): Promise<void> {
  await checkIndexFree(out, undefined, { replaceRuns: true }).catch((error: unknown) => {
    throw asUsageError(error);
  });
}

/**
 * Removes the agent files the folder's index.json (a previous run's) lists, and only those, and that
 * index: the folder then shows one run's agents, not `name-2.md` beside `name.md`, and files of the
 * user's stay. An index.json agent-factory did not write is left alone (checkPreviousRun refuses it).
 */
export async function removePreviousRun(out: string): Promise<void> {
  const owner = await indexOwner(out);
  if (owner.kind === 'none' || owner.kind === 'foreign') return;
  const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { file?: unknown }>;
  const root = resolve(out);
  for (const entry of Object.values(index)) {
    const file = entry.file;
    if (typeof file !== 'string' || !file.endsWith('.md')) continue;
    const path = resolve(root, file);
    // A listed path that leaves the folder is not one this command wrote.
    if (!path.startsWith(root + sep)) continue;
    await rm(path, { force: true });
  }
  await rm(join(out, 'index.json'), { force: true });
}
