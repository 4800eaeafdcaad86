import { llmSettingsFromEnv, type LlmSettings } from '@agent-factory/llm';
import { queueConfigFromEnv, QueueConfigSchema, type QueueConfig } from '@agent-factory/queue';
import type { ResearchSetupOptions } from '@agent-factory/research';
import type { z } from 'zod';
import { AgentModelsTextSchema, type AgentModels } from './agent-models.js';
import { FACTORY_ENV_NAMES, FactoryConfigSchema, type AgentFactoryConfig, type ParsedFactoryConfig } from './config.js';
import { FactoryInputError } from './errors.js';

/** The configuration with every default filled in, ready to wire. */
export interface ResolvedFactoryConfig {
  llm: LlmSettings;
  research: ResearchSetupOptions;
  agentModels: AgentModels;
  /** The queue settings, read on first use: a bad AF_RATE_LIMIT must not stop `generate`. */
  queue(): QueueConfig;
  onRetry: ParsedFactoryConfig['onRetry'];
  logger: ParsedFactoryConfig['logger'];
}

function firstIssue(error: z.ZodError, name: (path: PropertyKey[]) => string): string {
  const issue = error.issues[0];
  return `${name(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`;
}

/** Reads one defaultable field from its variable; empty means unset, a bad value names the variable. */
function fromEnv<K extends keyof typeof FACTORY_ENV_NAMES>(env: NodeJS.ProcessEnv, field: K): ParsedFactoryConfig[K] | undefined {
  const variable = FACTORY_ENV_NAMES[field];
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const schema = field === 'agentModels' ? AgentModelsTextSchema : FactoryConfigSchema.shape[field];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new FactoryInputError(firstIssue(parsed.error, () => variable));
  return parsed.data as ParsedFactoryConfig[K];
}

/**
 * The generation provider: the explicit fields over the environment's, so AF_GENERATION_MAX_TOKENS and
 * the other tuning variables still apply when only a key or a provider is given in code.
 */
function llmSettingsOf(config: ParsedFactoryConfig, env: NodeJS.ProcessEnv): LlmSettings {
  const overlay: NodeJS.ProcessEnv = { ...env };
  if (config.apiKey !== undefined) overlay['ANTHROPIC_API_KEY'] = config.apiKey;
  if (config.baseURL !== undefined) overlay['ANTHROPIC_BASE_URL'] = config.baseURL;
  const provider = config.provider ?? (config.apiKey !== undefined ? 'anthropic' : undefined);
  if (provider !== undefined) overlay['AF_PROVIDER'] = provider;
  let settings: LlmSettings;
  try {
    settings = llmSettingsFromEnv(overlay);
  } catch (error) {
    throw new FactoryInputError((error as Error).message);
  }
  if (settings.provider === 'offline' || config.models === undefined) return settings;
  return { provider: 'anthropic', anthropic: { ...settings.anthropic, models: { ...settings.anthropic.models, ...config.models } } };
}

/** Validates the config (a bad field is a FactoryInputError naming it) and fills in the environment's defaults. */
export function resolveFactoryConfig(input: AgentFactoryConfig = {}): ResolvedFactoryConfig {
  const parsed = FactoryConfigSchema.safeParse(input);
  if (!parsed.success) throw new FactoryInputError(`createAgentFactory: ${firstIssue(parsed.error, (path) => path.join('.') || 'config')}`);
  const config = parsed.data;
  const env = config.env ?? process.env;
  const research: ResearchSetupOptions = {
    research: config.research ?? fromEnv(env, 'research'),
    docsDir: config.docsDir ?? fromEnv(env, 'docsDir'),
    context7ApiKey: config.context7ApiKey ?? fromEnv(env, 'context7ApiKey'),
    context7Url: config.context7Url ?? fromEnv(env, 'context7Url'),
  };
  return {
    llm: llmSettingsOf(config, env),
    research,
    agentModels: config.agentModels ?? fromEnv(env, 'agentModels') ?? {},
    queue: () => {
      let base: QueueConfig;
      try {
        base = queueConfigFromEnv(env);
      } catch (error) {
        throw new FactoryInputError((error as Error).message);
      }
      return QueueConfigSchema.parse({ ...base, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), ...(config.prefix ? { prefix: config.prefix } : {}) });
    },
    onRetry: config.onRetry,
    logger: config.logger,
  };
}
