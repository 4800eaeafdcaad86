export { startSimulator, type Simulator } from './server.js';
export {
  SimulatorOptionsSchema,
  FaultPlanSchema,
  FAULT_KINDS,
  DEFAULT_RANDOM_FAULTS,
  resolveOptions,
  type SimulatorOptions,
  type ResolvedOptions,
  type FaultPlanInput,
  type FaultPlan,
  type FaultKind,
  type FaultStep,
  type Selection,
} from './options.js';
export { Ledger, type LedgerData, type TokenCounts, type BatchResultType } from './ledger.js';
export type { LimitName } from './limits.js';
export { minCacheableTokens, costUsd } from './models.js';
export { requirementOf, agentAnswer, malformAnswer } from './agent-answer.js';
