import { parseAgentModels, TierSchema } from '@agent-factory/core';
import { batchModeOptions } from '../batch-mode/config.js';
import { describeError } from '../errors.js';
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
