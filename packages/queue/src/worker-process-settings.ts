import { DEFAULT_CONCURRENCY, parseConcurrency } from './config.js';
import { STAGES, type Stage } from './stages.js';

/** What a worker process itself runs: which stages, how many jobs of each at once, and its timings. */
export interface WorkerProcessSettings {
  stages: Stage[];
  concurrency: Record<Stage, number>;
  /** Test, dry-run and demo knob (`start --pace`): every generation waits this long first (AF_GENERATE_DELAY_MS). */
  generateDelayMs: number;
  /** How long SIGTERM waits for running jobs (AF_GRACE_MS). */
  graceMs: number;
}

/** `read()`, its error prefixed with the variable or flag it read, which is what a user has to fix. */
export function namedSetting<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

/** Parses `analyze,research` (AF_STAGES, --stages); unknown stages are errors. */
export function parseStages(text: string): Stage[] {
  const stages = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of stages) if (!(STAGES as readonly string[]).includes(s)) throw new Error(`unknown stage "${s}" (stages: ${STAGES.join(', ')})`);
  if (stages.length === 0) throw new Error(`no stages given (stages: ${STAGES.join(', ')})`);
  return [...new Set(stages as Stage[])];
}

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, not "${raw}"`);
  return n;
}

/**
 * AF_STAGES, AF_CONCURRENCY, AF_GENERATE_DELAY_MS and AF_GRACE_MS as a worker reads them (flags
 * override the first two); a bad one throws, naming it. Shared by the worker and `doctor`.
 */
export function workerProcessSettings(env: NodeJS.ProcessEnv, flags: { stages?: string; concurrency?: string } = {}): WorkerProcessSettings {
  const stagesText = flags.stages ?? env['AF_STAGES'];
  return {
    stages: stagesText ? namedSetting(flags.stages !== undefined ? '--stages' : 'AF_STAGES', () => parseStages(stagesText)) : [...STAGES],
    concurrency: { ...DEFAULT_CONCURRENCY, ...namedSetting('AF_CONCURRENCY', () => parseConcurrency(env['AF_CONCURRENCY'] ?? '')), ...namedSetting('--concurrency', () => parseConcurrency(flags.concurrency ?? '')) },
    generateDelayMs: nonNegativeInt(env, 'AF_GENERATE_DELAY_MS', 0),
    graceMs: nonNegativeInt(env, 'AF_GRACE_MS', 10_000),
  };
}
