// A light entry for the CLI's config (it reads AF_AGENT_MODELS without loading the library); the parser itself is core's, shared by workers.
export { AgentModelsSchema, AgentModelsTextSchema, type AgentModels } from '@agent-factory/core';
