import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { runPipeline } from '@agent-factory/core';
import { decodeResult, encodeResult, summarizeAgent, type StoredResult } from '@agent-factory/queue';
import { LocalDocsSource } from '@agent-factory/research';
import { describe, expect, it } from 'vitest';

describe('stored results', () => {
  it('round-trip a finished agent at about half its JSON size', async () => {
    const result = await runPipeline({ requirement: 'Review Django REST framework serializers for N+1 queries and missing validation' }, { docs: new LocalDocsSource() });
    const stored = summarizeAgent(result, { worker: 'host:1', costUsd: 0 });
    const blob = encodeResult(stored);
    expect(decodeResult(blob)).toEqual(stored);
    expect(blob.length).toBeLessThan(JSON.stringify(stored).length * 0.6);
  });

  it('still decode the raw deflate blobs earlier versions stored', () => {
    const failed: StoredResult = { s: 'failed', e: 'generate: the provider refused the request (400)' };
    expect(decodeResult(deflateRawSync(JSON.stringify(failed)))).toEqual(failed);
  });

  it('cannot mistake a raw deflate blob for a new one: zlib never starts one with the new marker', () => {
    const inputs = [Buffer.alloc(0), Buffer.from('{}'), ...Array.from({ length: 300 }, (_, i) => (i % 2 ? randomBytes(i * 7) : Buffer.from('x'.repeat(i * 13))))];
    for (const input of inputs) {
      for (const level of [0, 1, 6, 9]) expect(deflateRawSync(input, { level })[0]).not.toBe(encodeResult({ s: 'completed' })[0]);
    }
  });
});
