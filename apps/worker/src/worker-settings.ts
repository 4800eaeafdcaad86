import { parseAgentModels, type AgentModels } from '@agent-factory/core';
import { llmSettingsFromEnv, type LlmSettings } from '@agent-factory/llm';
import { tracesExport, type TracesExport } from '@agent-factory/telemetry';
import { parseContext7Url, parseResearchMode, researchMode, type ResearchMode } from '@agent-factory/research';
import {
  batchModeOptions,
  cacheSettingsFromEnv,
  logLevelFromEnv,
  namedSetting,
  observabilityFromEnv,
  queueConfigFromEnv,
  researchSettingsFromEnv,
  workerProcessSettings,
  type BatchModeOptions,
  type CacheSettings,
  type LogLevel,
  type ObservabilitySettings,
  type QueueConfig,
  type ResearchSettings,
  type WorkerProcessSettings,
} from '@agent-factory/queue';

/** A bad flag or environment variable: the CLI reports it as a usage error (exit 2). */
export class WorkerSettingsError extends Error {
  override readonly name = 'WorkerSettingsError';
}

/** Everything a worker process reads from its environment, checked before it connects. */
export interface WorkerSettings extends WorkerProcessSettings {
  queue: QueueConfig;
  /** AF_RESEARCH; context7 by default when CONTEXT7_API_KEY is set, else local. */
  research: ResearchMode;
  docsDir?: string;
  /** CONTEXT7_API_KEY and CONTEXT7_URL (another Context7-compatible server). */
  context7: { context7ApiKey?: string; context7Url?: string };
  /** AF_RESEARCH_TTL, _STALE, _RETRY (the docs cache), _CONCURRENCY (docs calls at once) and _BUDGET (tokens per agent). */
  researchSettings: ResearchSettings;
  /** The generation provider: AF_PROVIDER, or anthropic when ANTHROPIC_API_KEY is set (see @agent-factory/llm). */
  llm: LlmSettings;
  /** AF_LLM_BATCH_MAX_REQUESTS, _WINDOW_MS, _POLL_MS (`--mode batch`), checked at start whichever provider runs. */
  batchMode: BatchModeOptions;
  /** AF_AGENT_MODELS: the `model:` the analyze stage writes per tier (unset tiers keep the defaults). */
  agentModels: AgentModels;
  /** LOG_LEVEL, checked here so a bad one is a usage error before the worker's logger exists. */
  logLevel: LogLevel;
  /** The shared Redis cache for docs and finished agents (AF_CACHE: none, off, false, 0 or no turn it off). */
  cache: boolean;
  /** AF_CACHE and AF_AGENTS_TTL: whether the cache is on, how long it keeps a finished agent. */
  cacheSettings: CacheSettings;
  /** AF_METRICS_PORT / AF_METRICS_HOST: where the worker serves /metrics (unset: nowhere). */
  observability: ObservabilitySettings;
  /** Where and how the worker sends its traces (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL…); unset: it makes none. */
  traces?: TracesExport;
}

/** Reads the worker's settings; flags (stages, concurrency) override the environment. */
export function workerSettings(env: NodeJS.ProcessEnv, flags: { stages?: string; concurrency?: string } = {}): WorkerSettings {
  try {
    return readSettings(env, flags);
  } catch (error) {
    throw new WorkerSettingsError(error instanceof Error ? error.message : String(error));
  }
}

function readSettings(env: NodeJS.ProcessEnv, flags: { stages?: string; concurrency?: string }): WorkerSettings {
  const llm = llmSettingsFromEnv(env);
  const wanted = parseResearchMode(env['AF_RESEARCH']);
  const context7Url = env['CONTEXT7_URL'];
  // Checked whatever AF_RESEARCH says, as doctor and the CLI's commands check it: a bad value is refused
  // now rather than surfacing on the day someone switches research to context7.
  const context7 = {
    ...(env['CONTEXT7_API_KEY'] ? { context7ApiKey: env['CONTEXT7_API_KEY'] } : {}),
    ...(context7Url ? { context7Url: namedSetting('CONTEXT7_URL', () => parseContext7Url(context7Url)) } : {}),
  };
  const research = researchMode(wanted, context7.context7ApiKey);
  const traces = tracesExport(env);
  const cacheSettings = cacheSettingsFromEnv(env);
  return {
    queue: queueConfigFromEnv(env),
    observability: observabilityFromEnv(env),
    ...workerProcessSettings(env, flags),
    research,
    context7,
    researchSettings: researchSettingsFromEnv(env),
    llm,
    batchMode: batchModeOptions({}, env),
    agentModels: namedSetting('AF_AGENT_MODELS', () => parseAgentModels(env['AF_AGENT_MODELS'] ?? '')),
    ...(env['AF_DOCS_DIR'] ? { docsDir: env['AF_DOCS_DIR'] } : {}),
    logLevel: logLevelFromEnv(env),
    cache: cacheSettings.enabled,
    cacheSettings,
    ...(traces ? { traces } : {}),
  };
}
