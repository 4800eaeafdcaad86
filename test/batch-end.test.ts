import { batchEndWatch, type BatchStatus } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';

const status = (state: BatchStatus['state'], pending: number, finishedAt?: string): BatchStatus => ({
  id: 'b_1', name: 'b', tenant: 'default', priority: 0, state, createdAt: '2026-01-01T00:00:00Z', inputs: 10, total: 10,
  counts: { pending, completed: 10 - pending, failed: 0, cancelled: 0 },
  ...(finishedAt ? { finishedAt } : {}),
});

describe('batchEndWatch (when --wait and the event stream stop)', () => {
  it('waits while running, ends on completed or interrupted', () => {
    const ended = batchEndWatch();
    expect(ended(status('running', 3))).toBe(false);
    expect(ended(status('completed', 0, '2026-01-01T00:01:00Z'))).toBe(true);
    expect(batchEndWatch()(status('interrupted', 3))).toBe(true);
  });

  it('does not end on a cancel half way through: pending items and no finish time yet', () => {
    const ended = batchEndWatch();
    expect(ended(status('cancelled', 140))).toBe(false);
    expect(ended(status('cancelled', 0, '2026-01-01T00:01:00Z'))).toBe(true);
  });

  it('ends a cancelled batch whose items nothing settles (a cancel that died) after the settle time', async () => {
    const ended = batchEndWatch(50);
    expect(ended(status('cancelled', 5))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ended(status('cancelled', 5))).toBe(true);
  });

  it('keeps waiting past the settle time while the cancel still ends items (a large batch)', async () => {
    const ended = batchEndWatch(50);
    expect(ended(status('cancelled', 9))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ended(status('cancelled', 7))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ended(status('cancelled', 4))).toBe(false);
    expect(ended(status('cancelled', 0, '2026-01-01T00:01:00Z'))).toBe(true);
  });
});
