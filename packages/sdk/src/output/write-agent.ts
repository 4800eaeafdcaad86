import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { withAgentName } from '@agent-factory/core';
import { suffixedName } from './agent-names.js';

export interface WrittenAgent {
  path: string;
  name: string;
  /** The folder had this very file already (reuseIdentical): nothing was written. */
  unchanged?: true;
}

/**
 * Writes `<name>.md` into the folder, creating it. Never overwrites: when the name is taken the agent
 * gets the next free suffix (`name-2`), in its file name and its `name:` alike, unless `force`.
 * The file name comes from the validated agent name only, so it can never leave the folder.
 */
export async function writeAgent(dir: string, name: string, content: string, options: { force?: boolean } = {}): Promise<WrittenAgent> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  for (let n = 1; n < 10_000; n++) {
    const candidate = suffixedName(name, n);
    const path = join(folder, `${candidate}.md`);
    try {
      await writeFile(path, candidate === name ? content : withAgentName(content, candidate), { flag: options.force ? 'w' : 'wx' });
      return { path, name: candidate };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free file name for ${name} in ${folder}`);
}
