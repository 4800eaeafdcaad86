/**
 * Core pipeline throughput: requirements/s in one process (one core) through analyze → research
 * (bundled docs, warm) → template → generate → validate, against a baseline that does only the
 * irreducible work of any generator (render the same file's YAML frontmatter and parse it back).
 */
import { parse, stringify } from 'yaml';
import { runPipeline } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';
import { machine, writeSection } from './benchmarks-md.js';
import { median, percentile, spread } from './stats.js';
import { syntheticRequirements } from './synthetic.js';

const RUNS = 5;
const PER_RUN = 2000;
const TARGET = 2000;

async function ours(requirements: string[], docs: LocalDocsSource): Promise<{ rate: number; perStage: Record<string, number>; passed: number }> {
  const stage = { analyze: [] as number[], research: [] as number[], generate: [] as number[], validate: [] as number[] };
  let passed = 0;
  const start = performance.now();
  for (const requirement of requirements) {
    const result = await runPipeline({ requirement }, { docs });
    if (result.report.passed) passed++;
    for (const key of Object.keys(stage) as (keyof typeof stage)[]) stage[key].push(result.timings[key]);
  }
  const seconds = (performance.now() - start) / 1000;
  return { rate: requirements.length / seconds, perStage: Object.fromEntries(Object.entries(stage).map(([k, v]) => [k, percentile(v, 50) * 1000])), passed };
}

function baseline(requirements: string[]): number {
  const start = performance.now();
  for (const requirement of requirements) {
    const text = `---\n${stringify({ name: 'agent', description: requirement, tools: 'Read, Grep, Glob', model: 'sonnet' })}---\n\nYou are an agent.\n`;
    parse(/^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '');
  }
  return requirements.length / ((performance.now() - start) / 1000);
}

const docs = new LocalDocsSource();
// Warm-up of one full run: JIT tiers, templates, the docs cache and the token tables reach their steady state.
await ours(syntheticRequirements(PER_RUN, 1), docs);
baseline(syntheticRequirements(PER_RUN, 2));
const rates: number[] = [];
const baselines: number[] = [];
let last: Awaited<ReturnType<typeof ours>> | undefined;
for (let run = 0; run < RUNS; run++) {
  const requirements = syntheticRequirements(PER_RUN, 100 + run);
  baselines.push(baseline(requirements));
  last = await ours(requirements, docs);
  rates.push(last.rate);
  process.stderr.write(`run ${run + 1}/${RUNS}: ${last.rate.toFixed(0)} agents/s (baseline ${baselines.at(-1)?.toFixed(0)})\n`);
}
const rate = median(rates);
const base = median(baselines);
const stages = last?.perStage ?? {};
const table = [
  '## Core pipeline (in-process, one core)',
  '',
  `Machine: ${machine()}. ${RUNS} runs of ${PER_RUN} distinct synthetic requirements each (\`bench/synthetic.ts\`), after a warm-up run of as many (ours and the baseline); research from the bundled docs (warm in-process cache); offline generator; all four gates.`,
  '',
  '| measure | median | spread (min–max) | target |',
  '|---|---|---|---|',
  `| agents/s, analyze → research → generate → validate | **${rate.toFixed(0)}** | ${spread(rates)} | ≥ ${TARGET} |`,
  `| baseline: YAML frontmatter render + parse only, per/s | ${base.toFixed(0)} | ${spread(baselines)} | — |`,
  `| ratio ours ÷ target | ${(rate / TARGET).toFixed(2)} | | ≥ 1 |`,
  `| ratio ours ÷ baseline | ${(rate / base).toFixed(3)} | | — |`,
  `| agents passing all four gates (last run) | ${last?.passed ?? 0} / ${PER_RUN} | | all |`,
  '',
  `Median time per stage in the last run (µs): ${Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}.`,
].join('\n');
writeSection('core', table);
process.stdout.write(`${table}\n`);
