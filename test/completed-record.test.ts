// A finished agent's metrics record is built whole and stored without parsing it again
// (builtPayload): it must be exactly what parsing it would make, every default filled, nothing extra.
import { RequirementRecordSchema, runPipeline } from '@agent-factory/core';
import { describe, expect, it } from 'vitest';
import { completedRecord } from '../packages/queue/src/metrics/records.js';
import { builtPayload, metricsPayload } from '../packages/queue/src/metrics/store.js';

describe('completedRecord', () => {
  it('is its own parse: the payload stored without parsing holds the same record as the parsed one', async () => {
    const result = await runPipeline({ requirement: 'Review Terraform plans for public S3 buckets and report findings' });
    for (const c of [
      { batch: 'b_1', key: '0123456789abcdef', stages: { analyze: { wait: 1, run: 2 } }, retries: 0, provider: 'offline', cost: null },
      { batch: 'b_1', key: '0123456789abcdef', enqueuedAt: 5, stages: {}, retries: 2, provider: 'anthropic', cost: 0.25, firstFindings: result.report.gates.flatMap((g) => g.findings), now: 10 },
    ]) {
      const record = completedRecord(result, c);
      expect(record).toStrictEqual(RequirementRecordSchema.parse(record));
      const built = builtPayload('{t}', record, { retentionSeconds: 60 });
      const parsed = metricsPayload('{t}', record, { retentionSeconds: 60 });
      expect(JSON.parse(String(built.args[1]))).toStrictEqual(JSON.parse(String(parsed.args[1])));
      expect(built.keys).toStrictEqual(parsed.keys);
    }
  });
});
