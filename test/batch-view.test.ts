import { describe, expect, it } from 'vitest';
import { batchTable } from '../apps/cli/src/batch-view.js';

describe('status table', () => {
  it('shows both the distinct requirements the counts are of (ITEMS) and the input ids they answer (IDS)', () => {
    const table = batchTable([
      { id: 'b_one', name: 'repeats', tenant: 'default', priority: 5, state: 'completed', createdAt: '2026-11-28T12:00:00.000Z', inputs: 4, total: 1, counts: { pending: 0, completed: 1, failed: 0, cancelled: 0 } },
    ]).split('\n');
    expect(table[0]!.split(/\s+/)).toEqual(['BATCH', 'NAME', 'TENANT', 'STATE', 'DONE', 'FAILED', 'CANCELLED', 'ITEMS', 'IDS', 'CREATED']);
    expect(table[1]!.split(/\s+/)).toEqual(['b_one', 'repeats', 'default', 'completed', '100%', '0', '0', '1', '4', '2026-11-28', '12:00:00Z']);
  });
});
