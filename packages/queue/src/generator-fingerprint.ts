import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION } from '@agent-factory/core';

let fingerprint: string | undefined;

/** The hash of a core package folder's built code and templates: relative paths and contents only. */
export function fingerprintOf(root: string): string {
  const hash = createHash('sha256').update(GENERATOR_VERSION);
  for (const folder of ['dist', 'templates']) {
    // Paths, not Dirents: Dirent.parentPath needs Node 20.12.
    const entries = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
      .map((name) => join(root, folder, name))
      .filter((path) => !/\.(?:map|d\.ts|tsbuildinfo)$/.test(path) && statSync(path).isFile())
      .sort();
    for (const path of entries) hash.update(relative(root, path)).update('\0').update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * What the generator's own code and templates are: the fingerprint of the installed core package.
 * Cached plans and agents are keyed by it, so workers upgraded to a generator that writes other
 * agents (a tools policy fix, say) never answer from what the older one wrote, whether or not anyone
 * bumped GENERATOR_VERSION. Identical builds on any machine hash the same.
 */
export function generatorFingerprint(): string {
  fingerprint ??= fingerprintOf(dirname(dirname(fileURLToPath(import.meta.resolve('@agent-factory/core')))));
  return fingerprint;
}
