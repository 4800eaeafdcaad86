import { FaultInjector } from './faults.js';
import { Ledger } from './ledger.js';
import { RateLimiter } from './limits.js';
import { resolveFaultPlan, type FaultPlanInput, type ResolvedOptions } from './options.js';
import { PromptCache } from './prompt-cache.js';

/** What every handler shares: the options and the simulator's mutable parts. */
export interface SimState {
  readonly options: ResolvedOptions;
  readonly now: () => number;
  readonly ledger: Ledger;
  readonly limiter: RateLimiter;
  readonly cache: PromptCache;
  faults: FaultInjector;
  /** Aborted by close(): pending waits end at once. */
  readonly closing: AbortSignal;
}

export function createState(options: ResolvedOptions, closing: AbortSignal): SimState {
  const now = options.now ?? Date.now;
  return {
    options,
    now,
    ledger: new Ledger(),
    limiter: new RateLimiter(options.limits, now),
    cache: new PromptCache(now, options.promptCache),
    faults: new FaultInjector(options.faults, options.seed),
    closing,
  };
}

/** Replaces the fault plan; its counters and RNG start over. */
export function replaceFaults(state: SimState, plan: FaultPlanInput): void {
  state.faults = new FaultInjector(resolveFaultPlan(plan), state.options.seed);
}
