import { AgentModelSchema, billedBefore, RequirementTextSchema, runPipeline, TierSchema, withAgentName, type AgentResult, type BilledUsage, type DocsSource, type GenerationProgress, type ResearchTarget } from '@agent-factory/core';
import { costIfPriced, resultCostUsd, type AnthropicProvider } from '@agent-factory/llm';
import { z } from 'zod';
import type { AgentModels } from './agent-models.js';
import { checked } from './checked.js';
import { DEFAULT_DIRS, LayoutSchema } from './output/layout.js';
import { OutputFolder } from './output/output-folder.js';

/** Where and how `generate` writes the agent; omit it to only get the file back. */
export const WriteOptionsSchema = z.strictObject({
  /** The folder: agents go straight into it (default `.claude/agents`), or it is the plugin's root (default `agent-factory-plugin`). */
  dir: z.string().min(1).optional(),
  layout: LayoutSchema.default('agents'),
  /** Overwrite an agent of the same name instead of writing `name-2`. */
  force: z.boolean().optional(),
  /** Write nothing; return the unified diff of what would be written. */
  dryRun: z.boolean().optional(),
});
export type WriteOptions = z.input<typeof WriteOptionsSchema>;

export const GenerateOptionsSchema = z.strictObject({
  /** Force a tier instead of the one the requirement's complexity gives. */
  tier: TierSchema.optional(),
  /** The agent's `model:` (haiku, sonnet, opus, inherit or a full claude-… id), over the tier's. */
  model: AgentModelSchema.optional(),
  write: WriteOptionsSchema.optional(),
  /** Characters and tokens written so far, while the provider streams. */
  onProgress: z.custom<(progress: GenerationProgress) => void>((v) => typeof v === 'function', 'a function').optional(),
});
export type GenerateOptions = z.input<typeof GenerateOptionsSchema>;

/** One generated agent: the pipeline's result (file, name, gate report, plan, usage, timings) and what writing it did. */
export interface GeneratedAgent extends AgentResult {
  /** US dollars the generation model's tokens cost (0 offline); null when the model has no price. */
  costUsd: number | null;
  /** The agent file's path when written, or where a dry run would write it. */
  path?: string;
  /** Every file written (or that a dry run would write): the agent, and plugin.json in the plugin layout. */
  files: string[];
  /** A dry run's unified diff. */
  diff?: string;
  written: boolean;
}

/** What a generation that failed had been billed before it failed (a paid first draft, then a refused request), and its cost. */
export interface FailedSpend {
  billed: BilledUsage;
  /** US dollars; null when the model has no price. */
  costUsd: number | null;
}

/** The spend generate's error carries (set by generateAgent), when its generation had billed anything. */
export function failedSpend(error: unknown): FailedSpend | undefined {
  const billed = billedBefore(error);
  const costUsd = (error as { costUsd?: unknown }).costUsd;
  return billed ? { billed, costUsd: typeof costUsd === 'number' ? costUsd : null } : undefined;
}

export interface GenerateDeps {
  llm?: AnthropicProvider;
  docs?: DocsSource;
  extraLibraries: ResearchTarget[];
  agentModels: AgentModels;
}

/** The in-process pipeline for one requirement, then (when asked) the file written into its folder. */
export async function generateAgent(deps: GenerateDeps, requirement: string, options: GenerateOptions = {}): Promise<GeneratedAgent> {
  const text = checked(RequirementTextSchema, requirement, 'requirement').trim();
  const { tier, model, write, onProgress } = checked(GenerateOptionsSchema, options, 'options');
  // Opened first: a broken plugin.json should stop us before tokens are spent.
  const folder = write ? await OutputFolder.open(write.dir ?? DEFAULT_DIRS[write.layout], write) : undefined;
  try {
    const result = await runPipeline(
      { requirement: text, ...(tier ? { tier } : {}), ...(model ? { model } : {}) },
      { ...(deps.docs ? { docs: deps.docs } : {}), ...(deps.llm ? { llm: deps.llm } : {}) },
      { models: deps.agentModels, extraLibraries: deps.extraLibraries, ...(onProgress ? { onProgress } : {}) },
    );
    const costUsd = resultCostUsd(result, deps.llm?.settings.prices ? { prices: deps.llm.settings.prices } : {});
    if (!folder) return { ...result, costUsd, files: [], written: false };
    const agent = await folder.addAgent(result.name, result.content, { force: write?.force });
    const changes = await folder.finish();
    const content = agent.name === result.name ? result.content : withAgentName(result.content, agent.name);
    return { ...result, name: agent.name, content, costUsd, path: agent.path, files: changes.files, ...(changes.diff !== undefined ? { diff: changes.diff } : {}), written: !folder.dryRun };
  } catch (error) {
    await folder?.abandon();
    // Billed before it failed: priced here, where the prices (AF_PRICES) are known (failedSpend reads it).
    const billed = billedBefore(error);
    if (billed) Object.assign(error as Error, { costUsd: costIfPriced(billed.usage, billed.model, deps.llm?.settings.prices ? { prices: deps.llm.settings.prices } : {}) });
    throw error;
  }
}
