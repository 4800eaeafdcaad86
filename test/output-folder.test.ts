// An output folder's dry-run diff handed over a file at a time, and a folder collected again keeping its files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAgentName } from '@agent-factory/core';
import { OutputFolder } from '@agent-factory/sdk/output';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const agent = (name: string, body: string): string => `---\nname: ${name}\ndescription: Use when ${body}.\n---\nYou are ${body}.\n`;

describe('OutputFolder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'af-output-folder-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('hands a dry run its diff one file at a time, in file order, and writes nothing', async () => {
    const patches: string[] = [];
    const folder = await OutputFolder.open(dir, { dryRun: true, onDiff: async (patch) => void patches.push(patch) });
    for (const name of ['beta', 'alpha', 'beta']) await folder.addAgent(name, agent(name, `a ${name} reviewer`));
    const changes = await folder.finish();
    expect(changes.diff).toBeUndefined();
    expect(patches.map((p) => /^\+\+\+ (.+)$/m.exec(p)?.[1])).toEqual(['alpha.md', 'beta-2.md', 'beta.md'].map((f) => join(dir, f)));
    for (const patch of patches) expect(patch.match(/^--- \/dev\/null$/gm)).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('collected again, reuses each identical file once, in any order, and writes what differs under a free name', async () => {
    const [first, second, other] = ['a reviewer', 'a tester', 'an auditor'].map((b) => agent('x', b)) as [string, string, string];
    await writeFile(join(dir, 'x.md'), first);
    await writeFile(join(dir, 'x-2.md'), withAgentName(second, 'x-2'));
    // Declares another name than its file's: that name is taken too.
    await writeFile(join(dir, 'reviewer.md'), agent('x-3', 'a linter'));
    const folder = await OutputFolder.open(dir, { reuseIdentical: true });
    expect(await folder.addAgent('x', second)).toMatchObject({ name: 'x-2', unchanged: true });
    expect(await folder.addAgent('x', first)).toMatchObject({ name: 'x', unchanged: true });
    expect(await folder.addAgent('x', first)).toMatchObject({ name: 'x-4' });
    expect(await folder.addAgent('x', other)).toMatchObject({ name: 'x-5' });
    await folder.finish();
    expect((await readdir(dir)).sort()).toEqual(['reviewer.md', 'x-2.md', 'x-4.md', 'x-5.md', 'x.md']);
    expect(await readFile(join(dir, 'x-5.md'), 'utf8')).toBe(withAgentName(other, 'x-5'));
  });
});
