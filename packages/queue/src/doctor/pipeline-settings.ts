import { parseAgentModels, TierSchema } from '@agent-factory/core';
import { batchModeOptions } from '../batch-mode/config.js';
import { queueConfigFromEnv } from '../config.js';
import { describeError } from '../errors.js';
import { workerProcessSettings } from '../worker-process-settings.js';
import { fail, pass, SETTING_FIX, type DoctorCheck } from './check.js';

/** AF_AGENT_MODELS as a worker reads it: FAIL where a worker would refuse to start. */
export function agentModelsCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'agent models';
  try {
    const models = parseAgentModels(env['AF_AGENT_MODELS'] ?? '');
    const set = TierSchema.options.filter((tier) => models[tier] !== undefined).map((tier) => `${tier}=${models[tier]}`);
    return pass(name, set.length > 0 ? `model: per tier ${set.join(', ')} (AF_AGENT_MODELS), the rest by complexity` : 'model: by complexity (AF_AGENT_MODELS unset)');
  } catch (error) {
    return fail(name, `AF_AGENT_MODELS: ${describeError(error)}; workers refuse to start (exit 2)`, SETTING_FIX);
  }
}

/** AF_LLM_BATCH_* as a worker reads them (whichever provider it runs): FAIL where it would refuse to start. */
export function batchModeCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'batch mode';
  try {
    const { maxRequests, windowMs, pollMs } = batchModeOptions({}, env);
    return pass(name, `--mode batch: up to ${maxRequests} requests per Message Batch, ${windowMs} ms window, polled every ${pollMs} ms`);
  } catch (error) {
    return fail(name, `${describeError(error)}; workers refuse to start (exit 2)`, SETTING_FIX);
  }
}

/**
 * The queue settings (AF_LOCK_MS, AF_ATTEMPTS, AF_RATE_LIMIT…) and the worker process's own (AF_STAGES,
 * AF_CONCURRENCY, AF_GRACE_MS, AF_GENERATE_DELAY_MS) as a worker reads them: FAIL where it would refuse to start.
 */
export function workerSettingsCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  const name = 'worker settings';
  try {
    const queue = queueConfigFromEnv(env);
    const { stages, concurrency, graceMs } = workerProcessSettings(env);
    const jobs = stages.map((stage) => `${stage}=${concurrency[stage]}`).join(', ');
    return pass(name, `stages ${jobs} (jobs at once); ${queue.attempts} attempts a stage, locks of ${queue.lockMs} ms, ${graceMs} ms grace on SIGTERM`);
  } catch (error) {
    return fail(name, `${describeError(error)}; workers refuse to start (exit 2)`, SETTING_FIX);
  }
}
