export { BatchModeOptionsSchema, batchModeOptions, type BatchModeOptions, type BatchModeOptionsInput } from './config.js';
export { startBatchCollector, type BatchCollector, type StartBatchCollectorOptions } from './collector.js';
export { BATCH_PROVIDER, COLLECTOR_QUEUE, type CollectorHooks } from './context.js';
export { llmBatchKeys, memberId } from './keys.js';
export { generateInMessageBatch } from './register.js';
export { batchModeUsage, type BatchModeUsage } from './usage.js';
export { openCollectorQueue } from './queue.js';
export { isAnthropicProvider } from './mode.js';
