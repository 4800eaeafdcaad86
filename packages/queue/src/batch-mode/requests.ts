import type Anthropic from '@anthropic-ai/sdk';
import type { GenerationRequest } from '@agent-factory/core';
import { buildPrompt, maxTokensFor, prefixVariantFor, type AnthropicProvider } from '@agent-factory/llm';
import { loadItem, type LoadedItem } from '../items.js';
import { readOutput } from '../processors/context.js';
import { draftName, type OutputName } from '../processors/outputs.js';
import type { CollectorContext } from './context.js';
import { parseMemberId } from './keys.js';

/** Item fields a member's request and result need. */
export const memberFields = (attempt: 1 | 2): OutputName[] => ['plan', 'research', 'review1', draftName(attempt)];

/** Whether the item still wants this attempt's draft. */
export function wantsDraft(item: LoadedItem, attempt: 1 | 2): boolean {
  return !item.final && !item.batchGone && item.hasRecord && item.batchState !== 'cancelled' && item.fields[draftName(attempt)] === undefined;
}

/** The generation request of a member, exactly as the realtime generate stage builds it. */
export function generationRequestOf(item: LoadedItem, attempt: 1 | 2): GenerationRequest {
  const { plan } = readOutput(item, 'plan');
  const { research } = readOutput(item, 'research');
  const guidance = attempt === 2 ? readOutput(item, 'review1').findings : undefined;
  return { ...plan, research, ...(guidance ? { guidance } : {}) };
}

/** The same body as a realtime call (model and max_tokens per tier, cached prefix, research, requirement last), without streaming. */
export function messageParams(llm: AnthropicProvider, request: GenerationRequest): Anthropic.MessageCreateParamsNonStreaming {
  const model = llm.models[request.complexity.tier];
  const prompt = buildPrompt(request, { variant: prefixVariantFor(model), research: 'full', cacheResearch: llm.settings.cacheResearch });
  return { model, max_tokens: maxTokensFor(request.complexity.tier, llm.settings.maxTokens), system: prompt.system, messages: prompt.messages };
}

export interface BuiltRequests {
  requests: Anthropic.Messages.BatchCreateParams.Request[];
  /** custom_ids whose items no longer want a draft (finished, cancelled, gone). */
  drop: string[];
  /** Records that cannot make a request (an earlier output unreadable): realtime reports why. */
  realtime: { customId: string; memberId: string }[];
  /** Over the byte limit: back to waiting, for the next group. */
  requeue: { customId: string; memberId: string }[];
}

const LOADS_IN_FLIGHT = 64;
/** `{"requests":[` … `]}` and the commas. */
const ENVELOPE_BYTES = 64;

/** The create body's requests for a group's members, within the byte limit. */
export async function buildRequests(c: CollectorContext, members: Record<string, string>): Promise<BuiltRequests> {
  const entries = Object.entries(members);
  const items: LoadedItem[] = new Array<LoadedItem>(entries.length);
  for (let i = 0; i < entries.length; i += LOADS_IN_FLIGHT) {
    const slice = entries.slice(i, i + LOADS_IN_FLIGHT);
    const loaded = await Promise.all(slice.map(([, id]) => {
      const data = parseMemberId(id);
      return loadItem(c.conn, data, memberFields(data.a));
    }));
    loaded.forEach((item, j) => (items[i + j] = item));
  }
  const built: BuiltRequests = { requests: [], drop: [], realtime: [], requeue: [] };
  let bytes = ENVELOPE_BYTES;
  entries.forEach(([customId, id], i) => {
    const { a } = parseMemberId(id);
    const item = items[i]!;
    if (!wantsDraft(item, a)) return void built.drop.push(customId);
    let request: Anthropic.Messages.BatchCreateParams.Request;
    try {
      request = { custom_id: customId, params: messageParams(c.llm, generationRequestOf(item, a)) };
    } catch {
      return void built.realtime.push({ customId, memberId: id });
    }
    const size = Buffer.byteLength(JSON.stringify(request)) + 1;
    if (bytes + size > c.options.maxBytes && built.requests.length > 0) return void built.requeue.push({ customId, memberId: id });
    bytes += size;
    built.requests.push(request);
  });
  return built;
}
