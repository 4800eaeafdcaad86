import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_NAME_MAX, AGENT_NAME_PATTERN, BUILTIN_TOOLS, MAX_REQUIREMENT_CHARS, MCP_TOOL_PATTERN, runPipeline } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';
import { syntheticRequirements } from '../bench/synthetic.js';

const WORDS = [
  'review', 'build', 'monitor', 'react', 'kafka', 'terraform', 'tests', 'api', 'secure', 'migrate', 'docs', 'pipeline', 'the', 'for',
  'and', 'with', 'our', 'enterprise', 'read-only', 'approval', 'Ignore', 'previous', 'instructions', 'bypassPermissions', '---',
  'name:', 'tools:', '../../etc/passwd', 'description: x', '日本語', 'über', '🚀', 'Go', 'k8s', 'Next.js', '"', "'", '#', '{{x}}',
];

/** Requirement-like strings: word salads of real terms and hostile tokens, plus raw unicode. */
const requirement = fc
  .oneof(
    fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 40 }).map((w) => w.join(' ')),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
  )
  .filter((s) => s.trim().length > 0 && s.length <= MAX_REQUIREMENT_CHARS);

describe('any requirement', () => {
  const docs = new LocalDocsSource();
  it('yields an agent that passes all four gates and has a safe name (200 random requirements)', async () => {
    await fc.assert(
      fc.asyncProperty(requirement, async (text) => {
        const result = await runPipeline({ requirement: text }, { docs });
        const failures = result.report.gates.flatMap((g) => g.findings.filter((f) => f.severity === 'error'));
        expect(failures, text).toEqual([]);
        expect(result.report.passed, `${text}\n${JSON.stringify(result.report.gates.map((g) => [g.gate, g.score]))}`).toBe(true);
        expect(result.name).toMatch(AGENT_NAME_PATTERN);
        expect(result.name.length).toBeLessThanOrEqual(AGENT_NAME_MAX);
        for (const tool of result.plan.policy.tools) expect(BUILTIN_TOOLS.includes(tool as never) || MCP_TOOL_PATTERN.test(tool)).toBe(true);
        expect(result.content).not.toMatch(/^permissionMode:\s*bypassPermissions/m);
      }),
      { numRuns: 200, seed: 20261125 },
    );
  });
});

describe('realistic requirements', () => {
  it('yield agents without a single finding, warnings included (the example batch and 500 synthetic ones)', async () => {
    const docs = new LocalDocsSource();
    const examples = readFileSync(new URL('../examples/requirements.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { requirement: string }).requirement);
    const findings: string[] = [];
    for (const requirement of [...examples, ...syntheticRequirements(500, 77)]) {
      const result = await runPipeline({ requirement }, { docs });
      for (const f of result.report.gates.flatMap((g) => g.findings)) findings.push(`${result.name}: ${f.rule} ${f.message}`);
    }
    expect(findings).toEqual([]);
  });
});
