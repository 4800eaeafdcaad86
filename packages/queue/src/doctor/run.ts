import { createAnthropicProvider, llmSettingsFromEnv, type LlmSettings } from '@agent-factory/llm';
import { queueConfigFromEnv, type QueueConfig } from '../config.js';
import { describeError } from '../errors.js';
import { quitClient } from '../redis-client.js';
import { agentsCacheCheck } from './cache.js';
import { agentModelsCheck, batchModeCheck, workerSettingsCheck } from './pipeline-settings.js';
import { fail, type DoctorCheck, type DoctorCheckStatus, type DoctorReport } from './check.js';
import { withTimeout } from '../with-timeout.js';
import { alertsCheck, loggingCheck, metricsCheck } from './observability.js';
import { tracesCheck } from './traces.js';
import { providerCheck } from './provider.js';
import { queueChecks } from './queues.js';
import { reachRedis, redisSettingsChecks } from './redis.js';
import { researchCheck, researchSettingsCheck, type DoctorResearch } from './research.js';
import { DEFAULT_SAMPLE, sampleChecks } from './sample.js';

/** How long each group of checks may take, in ms: doctor always ends. The sample gets twice its 30 s limit, to report how slow it was. */
const TIMEOUTS = { redis: 5_000, close: 5_000, queues: 10_000, provider: 15_000, research: 20_000, sample: 60_000, traces: 5_000 } as const;

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** The sample agent's requirement (default DEFAULT_SAMPLE). */
  sample?: string;
  /** Opens the research source as workers do; throws on a bad setting, which doctor reports. */
  research: () => DoctorResearch;
}

const CONFIG_FIX = 'fix the variable it names (see the configuration table in the README)';

/** Failures of a whole group (a deadline, a dropped connection) as one FAIL line. */
async function guarded(name: string, work: Promise<DoctorCheck[]>, ms: number, fix: string): Promise<DoctorCheck[]> {
  try {
    return await withTimeout(work, ms, name);
  } catch (error) {
    return [fail(name, describeError(error), fix)];
  }
}

/**
 * Reachable first: settings and queues only mean something on a Redis that answers. Only REDIS_URL
 * and AF_PREFIX say where: another bad queue setting is the worker settings check's, and must not
 * hide the state of Redis.
 */
async function redisGroup(env: NodeJS.ProcessEnv): Promise<DoctorCheck[]> {
  let config: QueueConfig;
  try {
    config = queueConfigFromEnv({ REDIS_URL: env['REDIS_URL'], AF_PREFIX: env['AF_PREFIX'] });
  } catch (error) {
    return [fail('redis reachable', describeError(error), CONFIG_FIX)];
  }
  const { check, client } = await reachRedis(config, TIMEOUTS.redis);
  if (!client) return [check];
  try {
    const fix = 'check the Redis server (redis-cli --latency, its log)';
    const settings = await guarded('redis settings', redisSettingsChecks(client), TIMEOUTS.redis, fix);
    const queues = await guarded('queues', queueChecks(client, config), TIMEOUTS.queues, fix);
    return [check, ...settings, ...queues];
  } finally {
    await quitClient(client);
  }
}

/** The research probe and settings, then the sample agent on the same source; the source is closed after both. */
async function researchAndSample(options: DoctorOptions, llm: LlmSettings | Error): Promise<DoctorCheck[]> {
  const settings = researchSettingsCheck(options.env ?? process.env);
  let setup: DoctorResearch | undefined;
  let research: DoctorCheck;
  try {
    setup = options.research();
    research = await researchCheck(setup, TIMEOUTS.research);
  } catch (error) {
    research = fail('research source', describeError(error), CONFIG_FIX);
  }
  try {
    if (llm instanceof Error) {
      const detail = 'not run: the provider settings are invalid (see provider)';
      return [research, settings, fail('sample gates', detail, CONFIG_FIX), fail('sample time and tokens', detail, CONFIG_FIX)];
    }
    const sample = await sampleChecks({
      requirement: options.sample ?? DEFAULT_SAMPLE,
      ...(llm.provider === 'anthropic' ? { llm: createAnthropicProvider(llm.anthropic) } : {}),
      ...(setup?.docs ? { docs: setup.docs } : {}),
      extraLibraries: setup?.extraLibraries ?? [],
      timeoutMs: TIMEOUTS.sample,
    });
    return [research, settings, ...sample];
  } finally {
    // A stuck stdio server must not keep doctor from printing.
    if (setup?.docs?.close) await withTimeout(setup.docs.close(), TIMEOUTS.close, 'closing the research source').catch(() => undefined);
  }
}

function llmSettings(env: NodeJS.ProcessEnv): LlmSettings | Error {
  try {
    return llmSettingsFromEnv(env);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The deployment checklist as checks: Redis, the stage queues, the provider, the research source
 * and settings, a sample agent, the agents cache, the worker settings, logging, metrics, traces and alerts. One group at a time, so no group's
 * timings include another's work; each group has a deadline.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const llm = llmSettings(env);
  const checks = [
    ...(await redisGroup(env)),
    llm instanceof Error ? fail('provider', llm.message, CONFIG_FIX) : await providerCheck(llm, env, TIMEOUTS.provider),
    ...(await researchAndSample(options, llm)),
    agentsCacheCheck(env),
    workerSettingsCheck(env),
    agentModelsCheck(env),
    batchModeCheck(env),
    loggingCheck(env),
    metricsCheck(env),
    await tracesCheck(env, TIMEOUTS.traces),
    alertsCheck(env),
  ];
  const count = (status: DoctorCheckStatus): number => checks.filter((c) => c.status === status).length;
  return { checks, passed: count('PASS'), warned: count('WARN'), failed: count('FAIL') };
}
