import { llmSettingsFromEnv } from '@agent-factory/llm';
import { UsageError } from './usage-error.js';

/**
 * `start`'s pace in a terminal with the offline generator, which alone finishes the example in about
 * two seconds: at 500 ms a generation, one at a time per worker, its 50 requirements take some 15 s
 * on two workers, long enough to watch them move through Bull Board and to add a worker.
 */
export const DEMO_PACE_MS = 500;

function offlineGeneration(env: NodeJS.ProcessEnv): boolean {
  try {
    return llmSettingsFromEnv(env).provider === 'offline';
  } catch {
    // A bad provider setting: the workers refuse it with its message; no pace either way.
    return false;
  }
}

/** `--pace` in milliseconds when given; else the demo pace in a terminal with the offline generator; else 0. */
export function demoPace(flag: string | undefined, interactive: boolean, env: NodeJS.ProcessEnv = process.env): number {
  if (flag === undefined) return interactive && offlineGeneration(env) ? DEMO_PACE_MS : 0;
  const ms = Number(flag);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new UsageError('--pace must be a whole number of milliseconds from 0 to 60000');
  return ms;
}

/** The worker environment that makes each generation take `paceMs`, one at a time per worker; nothing at pace 0. */
export function paceEnv(paceMs: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (paceMs === 0) return {};
  return { AF_GENERATE_DELAY_MS: String(paceMs), AF_CONCURRENCY: [env['AF_CONCURRENCY'], 'generate=1'].filter(Boolean).join(',') };
}
