import { AnthropicSettingsSchema, type RetryEvent } from '@agent-factory/llm';
import { QueueConfigSchema, type Logger } from '@agent-factory/queue';
import { Context7UrlSchema, RESEARCH_MODES } from '@agent-factory/research';
import { z } from 'zod';
import { AgentModelsSchema } from './agent-models.js';

const isFunction = (value: unknown): boolean => typeof value === 'function';

/**
 * What `createAgentFactory` takes. Every field is optional: an omitted one comes from the
 * environment exactly as the CLI reads it (README, Configuration), so `createAgentFactory()` in a
 * shell that runs `agent-factory` behaves like it. Unknown fields are errors, so a typo is not ignored.
 */
export const FactoryConfigSchema = z.strictObject({
  /** The generator: `offline` (templates, no tokens) or `anthropic`. Default: anthropic when there is an API key. */
  provider: z.enum(['offline', 'anthropic']).optional(),
  /** Anthropic API key (ANTHROPIC_API_KEY); given alone, it selects the anthropic provider. */
  apiKey: AnthropicSettingsSchema.shape.apiKey.optional(),
  /** Another Messages API endpoint (ANTHROPIC_BASE_URL), e.g. `agent-factory sim`. */
  baseURL: AnthropicSettingsSchema.shape.baseURL,
  /** The generation model per tier (AF_GENERATION_MODELS), e.g. `{ simple: 'claude-haiku-4-5' }`. */
  models: AnthropicSettingsSchema.shape.models.unwrap().optional(),
  /** The agent's `model:` per tier (AF_AGENT_MODELS), e.g. `{ complex: 'opus' }`. */
  agentModels: AgentModelsSchema.optional(),
  /** Where research reads library docs (AF_RESEARCH): the bundled docs, Context7, or none. */
  research: z.enum(RESEARCH_MODES).optional(),
  /** A folder of your own Markdown that research also reads (AF_DOCS_DIR). */
  docsDir: z.string().min(1).optional(),
  context7ApiKey: z.string().min(1).optional(),
  context7Url: Context7UrlSchema.optional(),
  /** Redis for the batch functions (REDIS_URL); nothing connects until the first of them is called. */
  redisUrl: z.string().min(1).optional(),
  /** Key prefix, a hash tag like `{af}` (AF_PREFIX). */
  prefix: QueueConfigSchema.shape.prefix.unwrap().optional(),
  /** The environment the defaults come from (default: process.env). */
  env: z.record(z.string(), z.string().optional()).optional(),
  /** Called before each retry of a transient provider fault (429, 5xx, a dropped stream). */
  onRetry: z.custom<(event: RetryEvent) => void>(isFunction, 'a function').optional(),
  /** Where the queue logs (Redis warnings); default: warnings and errors on stderr. */
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && isFunction((v as { warn?: unknown }).warn), 'a pino logger').optional(),
});
export type AgentFactoryConfig = z.input<typeof FactoryConfigSchema>;
export type ParsedFactoryConfig = z.output<typeof FactoryConfigSchema>;

/** Which variable sets each field the environment can default. */
export const FACTORY_ENV_NAMES = {
  research: 'AF_RESEARCH',
  docsDir: 'AF_DOCS_DIR',
  context7ApiKey: 'CONTEXT7_API_KEY',
  context7Url: 'CONTEXT7_URL',
  agentModels: 'AF_AGENT_MODELS',
} as const satisfies Partial<Record<keyof ParsedFactoryConfig, string>>;
