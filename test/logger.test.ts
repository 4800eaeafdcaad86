import { createLogger, lazyChild } from '@agent-factory/queue';
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
