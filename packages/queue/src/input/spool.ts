import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const SPOOL_PREFIX = 'af-input-';

/** Copies a stream (stdin) to a private temp file, so it can be read twice: check, then enqueue. */
export async function spool(input: NodeJS.ReadableStream): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), SPOOL_PREFIX));
  const path = join(dir, 'stdin');
  try {
    await pipeline(input, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return path;
}

/** Removes a spool file made by `spool` (and only such a file). */
export async function removeSpool(path: string): Promise<void> {
  const dir = dirname(path);
  if (basename(dir).startsWith(SPOOL_PREFIX) && dirname(dir) === tmpdir()) await rm(dir, { recursive: true, force: true });
}
