import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

const UNIT_NAMES: Record<DurationUnit, string> = { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours', d: 'days' };

/**
 * `500ms`, `90s`, `15m`, `12h`, `7d` (fractions too: `1.5h`) in milliseconds. A bare number counts in
 * `bareUnit`; without one it is refused, as is anything else. Units are lowercase only, so `M` is never
 * read as minutes when months were meant.
 */
export function durationMs(text: string, bareUnit?: DurationUnit): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  const unit = (match?.[2] as DurationUnit | undefined) ?? bareUnit;
  if (!match || unit === undefined) return undefined;
  return Number(match[1]) * UNIT_MS[unit];
}

/** Milliseconds in the largest unit that divides them (`604800000` → `7d`), for messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units = Object.entries(UNIT_MS).reverse() as [DurationUnit, number][];
  const [unit, size] = units.find(([, n]) => ms % n === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

export interface DurationBounds {
  /** Unit of a bare number (e.g. `s`: `90` is 90 s); none refuses bare numbers. */
  bareUnit?: DurationUnit;
  /** Inclusive, in milliseconds. */
  min: number;
  max: number;
}

/** A duration setting for zod: text in, milliseconds out; a bad one says what a duration looks like and its range. */
export function durationSchema(bounds: DurationBounds): z.ZodType<number, string> {
  const range = `from ${formatDuration(bounds.min)} to ${formatDuration(bounds.max)}`;
  const examples = bounds.bareUnit ? `e.g. 7d, 12h, 90s, 500ms, or a number of ${UNIT_NAMES[bounds.bareUnit]}` : 'e.g. 7d, 12h, 90s or 500ms';
  return z.string().transform((text, ctx) => {
    const ms = durationMs(text, bounds.bareUnit);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (${examples})` });
    else if (ms < bounds.min || ms > bounds.max) ctx.addIssue({ code: 'custom', message: `"${text}" is out of range: ${range}` });
    else return ms;
    return z.NEVER;
  });
}

/** Longer than anyone means, short enough that Redis expiry times cannot overflow. */
export const MAX_DURATION_MS = 3650 * 86_400_000;

/** A Redis lifetime setting: a duration (a bare number counts seconds) from `minMs`, in whole seconds, rounded up as Redis expires in them. */
export function secondsSchema(minMs: number): z.ZodType<number, string> {
  return durationSchema({ bareUnit: 's', min: minMs, max: MAX_DURATION_MS }).transform((ms) => Math.ceil(ms / 1000));
}
