// The library API. The MCP server is `@agent-factory/sdk/mcp`, so a program that only generates never loads it;
// `/output`, `/batch-input` and `/agent-models` are light entries for the CLI's producer commands.
export { AgentModelsSchema, AgentModelsTextSchema, type AgentModels } from './agent-models.js';
export { inputRefusal } from './batch/refusal.js';
export { BatchInputSchema, SubmitOptionsSchema, type BatchInput, type SubmitOptions } from './batch/submit.js';
export { FactoryConfigSchema, type AgentFactoryConfig } from './config.js';
export { FactoryInputError, FactoryUnavailableError } from './errors.js';
export { RedisFullError } from '@agent-factory/queue';
export { createAgentFactory, type AgentFactory } from './factory.js';
export { failedSpend, GenerateOptionsSchema, WriteOptionsSchema, type FailedSpend, type GeneratedAgent, type GenerateOptions, type WriteOptions } from './generate.js';
export * from './output/index.js';
export { ValidateInputSchema, type ValidateInput } from './validate.js';
export type { BatchStatus, ItemResult, ResumeOutcome } from '@agent-factory/queue';
export type { GateReport } from '@agent-factory/core';
