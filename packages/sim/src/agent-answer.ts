import { EMPTY_RESEARCH, estimateTokens, MAX_REQUIREMENT_CHARS, planRequirement, renderOfflineAgent, taskTierOf, type Tier } from '@agent-factory/core';
import type { MessageParam } from './request-schema.js';

/** Text of the last user message: where the requirement sits. */
export function lastUserText(messages: MessageParam[]): string {
  const last = messages.findLast((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n');
}

const FALLBACK_REQUIREMENT = 'A general-purpose assistant that helps with everyday development tasks in this repository';

/**
 * The requirement: the last `<requirement>…</requirement>` of the last user message, or the whole
 * message. The task's `- tier: simple|standard|complex` line (as the prompt states a decided or
 * forced tier) picks the template tier.
 */
export function requirementOf(text: string): { requirement: string; tier?: Tier } {
  const tagged = [...text.matchAll(/<requirement>([\s\S]*?)<\/requirement>/g)].at(-1)?.[1];
  const requirement = (tagged ?? text).trim().slice(0, MAX_REQUIREMENT_CHARS) || FALLBACK_REQUIREMENT;
  const tier = taskTierOf(text);
  return tier ? { requirement, tier } : { requirement };
}

/** Answers are pure functions of the requirement; many requests repeat one (retries, benchmarks). */
const answers = new Map<string, string>();
const ANSWER_MEMO = 2000;

/** A plausible agent file for the request, built by core's offline pipeline so it passes the gates. */
export function agentAnswer(userText: string): string {
  const input = requirementOf(userText);
  const key = `${input.tier ?? ''}\u0000${input.requirement}`;
  let content = answers.get(key);
  if (content === undefined) {
    const plan = planRequirement(input);
    content = renderOfflineAgent({ ...plan, research: EMPTY_RESEARCH }).content;
    if (answers.size >= ANSWER_MEMO) answers.clear();
    answers.set(key, content);
  }
  return content;
}

/** The same file with its frontmatter broken: the opening `---` fence is gone. */
export function malformAnswer(content: string): string {
  return content.replace(/^---\r?\n/, '');
}

export interface ShapedAnswer {
  text: string;
  outputTokens: number;
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence';
  stopSequence: string | null;
}

/** Cuts the answer where the model would stop: at the first stop sequence, or at max_tokens. */
export function shapeAnswer(full: string, maxTokens: number, stopSequences: string[] = []): ShapedAnswer {
  let text = full;
  let stopReason: ShapedAnswer['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  for (const seq of stopSequences) {
    const at = full.indexOf(seq);
    if (at >= 0 && at < text.length) {
      text = full.slice(0, at);
      stopReason = 'stop_sequence';
      stopSequence = seq;
    }
  }
  let outputTokens = estimateTokens(text);
  if (outputTokens > maxTokens) {
    // The longest prefix of whole words within max_tokens (binary search: counting is per line, memoized).
    const pieces = text.match(/\S+\s*|\s+/g) ?? [];
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (estimateTokens(pieces.slice(0, mid).join('')) <= maxTokens) lo = mid;
      else hi = mid - 1;
    }
    text = pieces.slice(0, lo).join('');
    outputTokens = estimateTokens(text);
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  return { text, outputTokens, stopReason, stopSequence };
}
