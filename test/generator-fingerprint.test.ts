import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintOf, generatorFingerprint } from '../packages/queue/src/generator-fingerprint.js';

const core = dirname(dirname(fileURLToPath(import.meta.resolve('@agent-factory/core'))));
const copy = mkdtempSync(join(tmpdir(), 'af-core-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('generator fingerprint (what keys cached plans and agents)', () => {
  it('is the same for an identical build elsewhere, and changes with any template or code change', () => {
    for (const folder of ['dist', 'templates']) cpSync(join(core, folder), join(copy, folder), { recursive: true });
    expect(fingerprintOf(copy)).toBe(generatorFingerprint());
    writeFileSync(join(copy, 'templates', 'tiers.yaml'), '# another generator\n', { flag: 'a' });
    expect(fingerprintOf(copy)).not.toBe(generatorFingerprint());
  });
});
