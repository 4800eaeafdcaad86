import { createLogger, lazyChild, REPEAT_WINDOW_MS, throttledErrorLog } from '@agent-factory/queue';
import { describe, expect, it } from 'vitest';

function captured(level: string): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
  return { lines, logger: createLogger({}, { level, destination }) };
}

describe('lazyChild', () => {
  it('writes the bound fields, redacted, once a line is logged', () => {
    const { lines, logger } = captured('info');
    const child = lazyChild(logger, { batch: 'b1', stage: 'validate' });
    child.info({ config: { apiKey: 'sk-secret' } }, 'draft generated');
    child.warn('again');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ batch: 'b1', stage: 'validate', msg: 'draft generated', config: { apiKey: '[redacted]' } });
    expect(JSON.parse(lines[1]!)).toMatchObject({ batch: 'b1', msg: 'again' });
  });

  it('makes no child for lines below the level, and one child for many lines', () => {
    const { lines, logger } = captured('info');
    let children = 0;
    const child = logger.child;
    logger.child = function (this: typeof logger, ...args: Parameters<typeof child>) {
      children++;
      return child.apply(this, args);
    } as typeof logger.child;
    const quiet = lazyChild(logger, { req: 'k1' });
    quiet.debug('not written');
    quiet.trace({ big: 'x' }, 'not written either');
    expect(children).toBe(0);
    expect(lines).toHaveLength(0);
    const busy = lazyChild(logger, { req: 'k2' });
    busy.info('one');
    busy.error('two');
    expect(children).toBe(1);
    busy.child({ extra: 1 }).info('three');
    expect(lines.map((l) => (JSON.parse(l) as { req: string }).req)).toEqual(['k2', 'k2', 'k2']);
  });
});

describe('throttledErrorLog (a worker\'s BullMQ error events)', () => {
  it('logs an error that repeats during a Redis outage once per window, then how many it left out', () => {
    const { lines, logger } = captured('info');
    let now = 0;
    const onError = throttledErrorLog(logger, 'worker error', { stage: 'generate' }, () => now);
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    for (let i = 0; i <= 500; i++, now += 60) onError(refused); // ~17 a second for 30 s, and one more
    onError(new Error('another kind'));
    expect(lines.map((l) => (JSON.parse(l) as { err: { message: string } }).err.message)).toEqual(['connect ECONNREFUSED 127.0.0.1:6379', 'connect ECONNREFUSED 127.0.0.1:6379', 'another kind']);
    const second = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(second).toMatchObject({ stage: 'generate', msg: 'worker error', repeatsLeftOut: Math.ceil(REPEAT_WINDOW_MS / 60) - 1 });
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('repeatsLeftOut');
  });

  it('counts the errors that differ only by the job they name as one kind: a Redis stall past the lock duration is two lines, not one per running job', () => {
    const { lines, logger } = captured('info');
    const onError = throttledErrorLog(logger, 'worker error', { stage: 'validate' }, () => 0);
    for (let i = 0; i < 136; i++) {
      onError(new Error(`Missing lock for job b_mx05v1qlac5qhzwc-${i.toString(16).padStart(16, '0')}-validate. moveToFinished`));
      onError(new Error(`could not renew lock for job b_mx05v1qlac5qhzwc-${i.toString(16).padStart(16, '0')}-validate`));
    }
    onError(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const logged = lines.map((l) => JSON.parse(l) as { err: { message: string }; hint?: string });
    expect(logged.map((l) => l.err.message)).toEqual([
      'Missing lock for job b_mx05v1qlac5qhzwc-0000000000000000-validate. moveToFinished',
      'could not renew lock for job b_mx05v1qlac5qhzwc-0000000000000000-validate',
      'connect ECONNREFUSED 127.0.0.1:6379',
    ]);
    expect(logged[0]!.hint).toMatch(/^the job's lock ran out \(Redis did not answer, or this process was blocked, for longer than the lock lasts\): the job runs again/);
    expect(logged[1]!.hint).toBe(logged[0]!.hint);
    expect(logged[2]).not.toHaveProperty('hint');
  });
});

describe('createLogger', () => {
  it("logs a failed Redis command's name and how many arguments it had, not the arguments (payloads, kilobytes a line)", () => {
    const { lines, logger } = captured('info');
    const refused = Object.assign(new Error('MISCONF Redis is configured to save RDB snapshots, but it is currently unable to persist to disk.'), {
      command: { name: 'evalsha', args: ['043d2189', '7', '{af}:batch:b1', Buffer.alloc(20_000, 7), '{"requirement":"Review the billing service"}'] },
    });
    const aborted = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [refused] });
    logger.warn({ err: refused }, 'stage failed; it will be retried');
    logger.error({ err: aborted }, 'could not mark the requirement failed');
    expect(lines.join('\n')).not.toContain('Review the billing service');
    const [first, second] = lines.map((l) => JSON.parse(l) as { err: { message: string; stack: string; command?: unknown; previousErrors?: { command?: unknown }[] } });
    expect(first!.err).toMatchObject({ message: refused.message, command: { name: 'evalsha', argCount: 5 } });
    expect(first!.err.stack).toContain('MISCONF');
    expect(second!.err.previousErrors?.[0]?.command).toEqual({ name: 'evalsha', argCount: 5 });
    expect(lines.map((l) => l.length < 10_000)).toEqual([true, true]);
  });
});
