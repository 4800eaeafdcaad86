/** A small seeded random source, so the abuse inputs are the same on every machine and every run. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast and good enough to vary test inputs (not for anything secret). */
export function seeded(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(list: readonly T[]): T => list[int(0, list.length - 1)] as T,
    chance: (p) => next() < p,
  };
}

/** The generator for case `seq` of a run: each case is reproducible on its own. */
export function caseRng(seed: number, seq: number): Rng {
  return seeded((seed ^ Math.imul(seq + 1, 0x9e3779b1)) >>> 0);
}

/** Requirements that are fine on their own: the good lines around a bad one. */
export const GOOD = [
  'Review Terraform plans for public S3 buckets and overly broad IAM policies.',
  'A code reviewer for TypeScript pull requests',
  'Write concise conventional commit messages from the staged git diff.',
  'Monitor Kafka consumer lag and alert when a partition falls behind',
  'Keep README files up to date with the CLI flags',
  'Audit React components for accessibility problems',
  'Migrate Jest test suites to Vitest',
  'Summarize failing CI runs and point at the likely culprit',
] as const;

const WORDS = ['review', 'terraform', 'plans', 'buckets', 'kafka', 'lag', 'react', 'hooks', 'docs', 'tests', 'pipeline', 'security', 'the', 'and', 'for'];

/** Words joined by spaces, exactly `length` characters, no space at either end. */
export function prose(rng: Rng, length: number): string {
  let text = '';
  while (text.length < Math.min(length, 4096)) text += `${text ? ' ' : ''}${rng.pick(WORDS)}`;
  // Past 4 KB the words repeat: megabyte lines cost a repeat, not a million concatenations.
  if (text.length < length) text = `${text} `.repeat(Math.ceil(length / (text.length + 1)));
  text = text.slice(0, length);
  return text.endsWith(' ') ? `${text.slice(0, -1)}x` : text;
}
