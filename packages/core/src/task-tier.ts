import { TierSchema, type Tier } from './schemas/requirement.js';

/**
 * How a generation task states its decided tier. One format, written by the prompt (@agent-factory/llm)
 * and read by the API simulator, so a forced tier reaches the simulated model as the prompt says it.
 */
export function taskTierLine(tier: Tier): string {
  return `- tier: ${tier}`;
}

/** The tier a task states, read before the requirement block (whose text is data and may say anything). */
export function taskTierOf(text: string): Tier | undefined {
  const head = text.split('<requirement>')[0] ?? '';
  const parsed = TierSchema.safeParse(/^- tier: (\w+)\s*$/m.exec(head)?.[1]);
  return parsed.success ? parsed.data : undefined;
}
