import { anthropicClient, classifyError, generationModels, type LlmSettings } from '@agent-factory/llm';
import { fail, pass, warn, type DoctorCheck } from './check.js';

const NAME = 'provider';
const API_URL = 'https://api.anthropic.com';

/**
 * The generation provider: in offline mode that is all there is to say; with Anthropic, one
 * count_tokens call (free, and it needs a valid key) shows the key works from this machine.
 */
export async function providerCheck(settings: LlmSettings, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  if (settings.provider === 'offline') {
    const why = env['ANTHROPIC_API_KEY'] ? 'AF_PROVIDER=offline' : 'no ANTHROPIC_API_KEY';
    return pass(NAME, `offline mode (${why}): agents come from the offline generator, no LLM tokens are spent`);
  }
  const { apiKey, baseURL } = settings.anthropic;
  const where = baseURL ?? API_URL;
  const model = generationModels(settings.anthropic.models).standard;
  // Doctor reports the first answer, within its deadline.
  const client = await anthropicClient({ apiKey, baseURL, timeoutMs });
  try {
    const counted = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'agent-factory doctor' }] });
    return pass(NAME, `anthropic at ${where}: the key works (count_tokens on ${model}: ${counted.input_tokens} tokens)`);
  } catch (caught) {
    const error = classifyError(caught);
    switch (error.kind) {
      case 'authentication':
      case 'permission':
      case 'billing':
        return fail(NAME, `anthropic at ${where} rejected the key: ${error.message}`, 'set ANTHROPIC_API_KEY to a valid key with Messages API access (or AF_PROVIDER=offline)');
      case 'not_found':
        return fail(NAME, `anthropic at ${where}: ${error.message}`, `check ANTHROPIC_BASE_URL, and that AF_GENERATION_MODELS names models the key can use (${model} now)`);
      case 'rate_limit':
      case 'overloaded':
      case 'server':
        return warn(NAME, `anthropic at ${where} is busy, so the key is not confirmed: ${error.message}`, 'run doctor again in a minute');
      default:
        return fail(NAME, `cannot reach anthropic at ${where}: ${error.message}`, 'check the network, a proxy, and ANTHROPIC_BASE_URL');
    }
  }
}
