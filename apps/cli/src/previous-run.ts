import { readFile, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/**
 * Removes the agent files the folder's index.json (a previous run's) lists, and only those: the
 * folder then shows one run's agents, not `name-2.md` beside `name.md`, and files of the user's stay.
 */
export async function removePreviousRun(out: string): Promise<void> {
  let index: unknown;
  try {
    index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
  } catch {
    return; // no previous run here, or not an index this command wrote
  }
  if (typeof index !== 'object' || index === null) return;
  const root = resolve(out);
  for (const entry of Object.values(index)) {
    const file = (entry as { file?: unknown } | null)?.file;
    if (typeof file !== 'string' || !file.endsWith('.md')) continue;
    const path = resolve(root, file);
    // A listed path that leaves the folder is not one this command wrote.
    if (!path.startsWith(root + sep)) continue;
    await rm(path, { force: true });
  }
}
