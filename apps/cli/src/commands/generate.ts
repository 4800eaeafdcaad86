import { AgentModelSchema, TierSchema, type GenerationProgress, type Usage } from '@agent-factory/core';
import type { RetryEvent } from '@agent-factory/llm';
import { DEFAULT_DIRS, failedSpend, type GeneratedAgent, type Layout } from '@agent-factory/sdk';
import { type Command, Option } from 'commander';
import { withFactory } from '../factory.js';
import { layoutOption } from '../output-options.js';
import { readRequirement } from '../read-input.js';
import { UsageError } from '../usage-error.js';

interface GenerateFlags {
  out?: string;
  layout: Layout;
  json?: boolean;
  tier?: string;
  model?: string;
  force?: boolean;
  dryRun?: boolean;
}

function summary(result: GeneratedAgent): string {
  const { complexity, policy } = result.plan;
  const gates = result.report.gates.map((g) => `${g.gate} ${g.score}`).join(', ');
  const where = result.written ? `wrote ${result.files.join(', ')}` : `agent ${result.name} (not written: --dry-run)`;
  const lines = [
    where,
    `  tier ${complexity.tier} (complexity ${complexity.score}/10), model ${complexity.model}, tools ${policy.tools.join(', ')}`,
    `  gates ${result.report.passed ? 'passed' : 'FAILED'}: ${gates}`,
    `  tokens ${result.budget.total.tokens} of ${result.budget.total.limit} budgeted${result.budget.exact ? '' : ' (estimated)'}, generator ${result.generator.provider}`,
  ];
  for (const reason of result.degraded) lines.push(`  degraded: ${reason}`);
  for (const f of result.report.gates.flatMap((g) => g.findings)) lines.push(`  ${f.severity} ${f.rule} (line ${f.line}): ${f.message}`);
  return lines.join('\n');
}

/** Live generation progress on stderr: one rewritten line on a terminal, a line a second otherwise. */
function progressLine(out: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  let open = false;
  const clear = (): void => {
    if (open) out.write('\r\x1b[2K');
    open = false;
  };
  return {
    onProgress(p: GenerationProgress): void {
      const now = Date.now();
      if (now - last < (out.isTTY ? 100 : 1000)) return;
      last = now;
      const text = `generating: ${p.characters.toLocaleString('en-US')} characters, ~${p.outputTokens.toLocaleString('en-US')} tokens`;
      if (out.isTTY) {
        out.write(`\r\x1b[2K${text}`);
        open = true;
      } else out.write(`${text}\n`);
    },
    onRetry(e: RetryEvent): void {
      clear();
      out.write(`retry ${e.retry}/${e.maxRetries} in ${(e.delayMs / 1000).toFixed(1)} s: ${e.error.message}\n`);
    },
    done: clear,
  };
}

/** Tokens by kind and their cost, as the usage lines say them. */
function spendText(usage: Usage, costUsd: number | null): string {
  return `input ${usage.input}, output ${usage.output}, cache write ${usage.cacheCreation}, cache read ${usage.cacheRead} tokens; ${costUsd === null ? 'cost unknown (no price for the model: AF_PRICES)' : `$${costUsd.toFixed(4)}`}`;
}

function usageLine(result: GeneratedAgent): string {
  const { costUsd, attempts } = result;
  // What was billed: after an offline fallback, the LLM attempts' tokens (the file's own are an estimate).
  const usage = result.billed?.usage ?? result.usage;
  const billedBy = result.billed ? ` (billed by ${result.billed.model} before the offline generator answered)` : '';
  return `  usage${billedBy}: ${spendText(usage, costUsd)}; ${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** A failed generation's paid drafts (a first draft, then a refused second request) still cost: said before the error. */
function sayFailedSpend(error: unknown): never {
  const spent = failedSpend(error);
  if (spent) process.stderr.write(`billed by ${spent.billed.model} before it failed: ${spendText(spent.billed.usage, spent.costUsd)}\n`);
  throw error;
}

/** `agent-factory generate "<requirement>"`: the whole pipeline in-process, one agent file written. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate one agent file from a requirement, in-process (no Redis needed).')
    .argument('<requirement>', 'what the agent should do, in plain words; "-" reads it from stdin')
    .option('-o, --out <dir>', `folder to write into (default: ${DEFAULT_DIRS.agents}; with --layout plugin, the plugin folder, default ${DEFAULT_DIRS.plugin})`)
    .addOption(layoutOption())
    .addOption(new Option('--tier <tier>', 'force a tier').choices(TierSchema.options))
    .option('--model <model>', "the agent's model: haiku, sonnet, opus, inherit or a full claude-… id")
    .option('--force', 'overwrite an existing file of the same name')
    .option('--dry-run', 'write nothing: print the diff of what would be written')
    .option('--json', 'print the result as JSON')
    .action(async (arg: string, flags: GenerateFlags) => {
      const requirement = await readRequirement(arg);
      const model = flags.model === undefined ? undefined : AgentModelSchema.safeParse(flags.model);
      if (model && !model.success) throw new UsageError(`--model ${flags.model}: use haiku, sonnet, opus, inherit or a full claude-… id`);
      const progress = progressLine();
      await withFactory({ onRetry: progress.onRetry }, async (factory) => {
        const result = await factory
          .generate(requirement, {
            tier: flags.tier ? TierSchema.parse(flags.tier) : undefined,
            model: model?.data,
            write: { dir: flags.out, layout: flags.layout, force: flags.force, dryRun: flags.dryRun },
            onProgress: progress.onProgress,
          })
          .finally(progress.done)
          .catch(sayFailedSpend);
        if (flags.json) {
          // `path` is the agent's file, written or (--dry-run) the one that would be; `written` tells which.
          const { content, diff, written, path, ...rest } = result;
          process.stdout.write(`${JSON.stringify({ path, written, ...rest, ...(flags.dryRun ? { content, diff } : {}) }, null, 2)}\n`);
        } else {
          if (flags.dryRun) process.stdout.write(result.diff || 'no changes\n');
          // Offline generation spends no tokens: its counts are estimates, not worth a line.
          const spent = !result.usage.estimated || result.billed !== undefined || result.costUsd !== 0;
          process.stdout.write(`${summary(result)}\n${spent ? `${usageLine(result)}\n` : ''}`);
        }
        if (!result.report.passed) process.exitCode = 1;
      });
    });
}
