import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';

/** Every file under a folder, as paths relative to it, sorted. */
async function filesUnder(root: string, sub = ''): Promise<string[]> {
  const entries = await readdir(join(root, sub), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const rel = join(sub, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(root, rel)));
    else files.push(rel);
  }
  return files.sort();
}

/** A path as the user typed it would read: relative to the working directory when under it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * The unified diff that copying `staged` over `target` would make, one file's patch at a time (a
 * batch's diff can run to hundreds of MB, so it is never held whole): a new file as all added lines
 * (from /dev/null), a changed one as its hunks, an identical one not at all.
 */
export async function* folderDiff(staged: string, target: string): AsyncGenerator<string> {
  for (const rel of await filesUnder(staged)) {
    const after = await readFile(join(staged, rel), 'utf8');
    const before = await readFile(join(target, rel), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (before === after) continue;
    const path = shown(join(target, rel));
    yield createTwoFilesPatch(before === undefined ? '/dev/null' : path, path, before ?? '', after);
  }
}
