import { llmSettingsFromEnv, type LlmSettings } from '@agent-factory/llm';
import { LogLevelSchema, researchSettingsFromEnv, type ResearchSettings } from '@agent-factory/queue';
import { Context7UrlSchema } from '@agent-factory/research';
import { AgentModelsTextSchema } from '@agent-factory/sdk/agent-models';
import { z } from 'zod';
import { UsageError } from './usage-error.js';

/** The environment the CLI reads, validated at start (see the README's configuration table). */
const EnvSchema = z.object({
  // Which provider, and its settings, comes from @agent-factory/llm (llmSettings below).
  AF_PROVIDER: z.enum(['offline', 'anthropic']).optional(),
  // Unset: context7 when CONTEXT7_API_KEY is set, else local (see @agent-factory/research).
  AF_RESEARCH: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['local', 'context7', 'context7-stdio', 'none']).optional()),
  CONTEXT7_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  CONTEXT7_URL: z.preprocess((v) => (v === '' ? undefined : v), Context7UrlSchema.optional()),
  AF_DOCS_DIR: z.string().min(1).optional(),
  AF_AGENT_MODELS: AgentModelsTextSchema.optional(),
  LOG_LEVEL: z.preprocess((v) => (v === '' ? undefined : v), LogLevelSchema.default('info')),
});
export type Config = z.infer<typeof EnvSchema>;

/** Reads the configuration from the environment; a bad value is a usage error naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * The generation provider (AF_PROVIDER, or anthropic when ANTHROPIC_API_KEY is set;
 * ANTHROPIC_BASE_URL, AF_GENERATION_MODELS …); a bad value is a usage error naming the variable.
 */
export function loadLlmSettings(env: NodeJS.ProcessEnv = process.env): LlmSettings {
  try {
    return llmSettingsFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The docs cache's lifetimes, docs calls at once and research budget (AF_RESEARCH_TTL and the rest, see
 * @agent-factory/queue's research settings), as workers read them; a bad value is a usage error naming the variable.
 */
export function loadResearchSettings(env: NodeJS.ProcessEnv = process.env): ResearchSettings {
  try {
    return researchSettingsFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
