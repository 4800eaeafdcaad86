import { mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@agent-factory/sim';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'af-generate-'));
});

const REQ = 'Review FastAPI endpoints for missing input validation and authentication.';

describe('agent-factory generate', () => {
  it('writes one valid agent file into the folder and says where', async () => {
    const run = await runCli(['generate', REQ, '--out', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(run.stdout).toContain(join(dir, files[0] as string));
    const text = await readFile(join(dir, files[0] as string), 'utf8');
    const fm = parse(/^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '', { strict: true }) as Record<string, string>;
    expect(`${fm['name']}.md`).toBe(files[0]);
    expect(text).toContain('FastAPI');
  });

  it('never overwrites: a second run gets a suffixed name, --force overwrites', async () => {
    await runCli(['generate', REQ, '--out', dir]);
    const second = await runCli(['generate', REQ, '--out', dir, '--json']);
    const out = JSON.parse(second.stdout) as { path: string; name: string };
    expect(out.name).toMatch(/-2$/);
    expect(await readFile(out.path, 'utf8')).toContain(`name: ${out.name}\n`);
    await runCli(['generate', REQ, '--out', dir, '--force']);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('never reuses a name an existing agent file declares, whatever that file is called', async () => {
    const first = JSON.parse((await runCli(['generate', REQ, '--out', dir, '--json'])).stdout) as { path: string; name: string };
    await rename(first.path, join(dir, 'renamed.md'));
    const second = JSON.parse((await runCli(['generate', REQ, '--out', dir, '--json'])).stdout) as { path: string; name: string };
    expect(second).toMatchObject({ name: `${first.name}-2`, path: join(dir, `${first.name}-2.md`) });
    expect(await readFile(second.path, 'utf8')).toContain(`name: ${first.name}-2\n`);
    expect((await readdir(dir)).sort()).toEqual([`${first.name}-2.md`, 'renamed.md']);
  });

  it('prints analysis, gate report and budget with --json', async () => {
    const run = await runCli(['generate', REQ, '--out', dir, '--json', '--tier', 'complex', '--model', 'inherit']);
    const out = JSON.parse(run.stdout) as { plan: { complexity: { tier: string; model: string } }; report: { passed: boolean; gates: unknown[] }; budget: { total: { tokens: number } } };
    expect(out.plan.complexity.tier).toBe('complex');
    expect(out.plan.complexity.model).toBe('inherit');
    expect(out.report.passed).toBe(true);
    expect(out.report.gates).toHaveLength(4);
    expect(out.budget.total.tokens).toBeGreaterThan(0);
  });

  it('--dry-run --json names the path it would write (and says it wrote nothing)', async () => {
    const run = await runCli(['generate', REQ, '--out', dir, '--dry-run', '--json']);
    const out = JSON.parse(run.stdout) as { path: string | null; written: boolean; name: string; files: string[] };
    expect(out.path).toBe(join(dir, `${out.name}.md`));
    expect(out.files).toEqual([out.path]);
    expect(out.written).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    // Written, the same fields say so.
    const wrote = JSON.parse((await runCli(['generate', REQ, '--out', dir, '--json'])).stdout) as { path: string; written: boolean };
    expect(wrote).toMatchObject({ path: out.path, written: true });
  });

  it('reads the requirement from stdin with -', async () => {
    const run = await runCli(['generate', '-', '--out', dir], { input: 'Write SwiftUI views for an onboarding flow.' });
    expect(run.code).toBe(0);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('against the API: a cut-off answer falls back after one request, its bill shown and priced; config errors name the variable', async () => {
    const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 1_000_000 });
    try {
      const env = { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, AF_GENERATION_MAX_TOKENS: '300' };
      const run = await runCli(['generate', REQ, '--out', dir], { env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/usage \(billed by claude-[\w.-]+ before the offline generator answered\): input \d+, output \d+/);
      expect(run.stdout).not.toMatch(/\$0\.0000/);
      expect(sim.ledger.messages.realtime).toBe(1);
      const before = sim.ledger.costUsd.realtime;
      const json = JSON.parse((await runCli(['generate', REQ, '--out', dir, '--json'], { env })).stdout) as { costUsd: number; billed: { usage: { output: number } }; degraded: string[] };
      expect(json.costUsd).toBeGreaterThan(0);
      expect(json.costUsd).toBeCloseTo(sim.ledger.costUsd.realtime - before, 8);
      expect(json.degraded.join('\n')).toMatch(/cut off at max_tokens \(300\): raise AF_GENERATION_MAX_TOKENS/);
      const unpriced = await runCli(['generate', REQ, '--out', dir], { env: { ...env, AF_GENERATION_MODELS: 'simple=claude-nonexistent-9' } });
      expect(unpriced.code).toBe(2);
      expect(unpriced.stderr).toMatch(/AF_GENERATION_MODELS: no price for claude-nonexistent-9 .*AF_PRICES/);
      const badUrl = await runCli(['generate', REQ, '--out', dir], { env: { ...env, ANTHROPIC_BASE_URL: 'not-a-url' } });
      expect(badUrl.code).toBe(2);
      expect(badUrl.stderr).toMatch(/ANTHROPIC_BASE_URL: not a URL/);
      expect(sim.ledger.messages.realtime).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it('against the API: a second request refused after a billed first draft still shows that bill (generate, and start in-process\'s index.json)', async () => {
    // Per marker (one a run), the first answer is malformed (billed, fails the gates); the second request is refused (400).
    const rules = ['Quuxify', 'Frobnitz'].map((match) => ({ match, sequence: ['malformed' as const], then: '400' as const }));
    const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 1_000_000, faults: { rules } });
    try {
      const env = { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, AF_RESEARCH: 'local' };
      const run = await runCli(['generate', 'Review Quuxify service configuration files for leaked secrets', '--out', dir], { env });
      expect(run.code).toBe(1);
      expect(sim.ledger.messages.realtime).toBe(1);
      const { tokens, costUsd } = sim.ledger.snapshot();
      const t = tokens.realtime;
      expect(run.stderr).toContain(`before it failed: input ${t.input}, output ${t.output}, cache write ${t.cacheCreation}, cache read ${t.cacheRead} tokens; $${costUsd.realtime.toFixed(4)}`);
      expect(run.stderr).toMatch(/400/);

      sim.ledger.reset();
      const file = join(dir, 'requirements.jsonl');
      await writeFile(file, `${JSON.stringify({ id: 'only', requirement: 'Review Frobnitz service configuration files for leaked secrets' })}\n`);
      const out = join(dir, 'out');
      const start = await runCli(['start', file, '--in-process', '--out', out], { env });
      expect(start.code, start.stderr).toBe(1);
      const billed = sim.ledger.snapshot();
      expect(billed.messages.realtime).toBe(1);
      const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Record<string, { error: string; usage: unknown; costUsd: number }>;
      expect(index['only']).toMatchObject({ error: expect.stringMatching(/400/), usage: billed.tokens.realtime });
      expect(index['only']!.costUsd).toBeCloseTo(billed.costUsd.realtime, 8);
    } finally {
      await sim.close();
    }
  });

  const bad: [string, string[], string | Buffer | undefined, RegExp][] = [
    ['empty', [''], undefined, /empty/],
    ['whitespace only', ['   \n\t '], undefined, /empty/],
    ['over 8,000 characters', ['x'.repeat(8001)], undefined, /8000/],
    ['invalid UTF-8 on stdin', ['-'], Buffer.from([0x52, 0x65, 0xff, 0xfe, 0x76]), /UTF-8/],
    ['an unknown tier', [REQ, '--tier', 'huge'], undefined, /tier/],
    ['a bad model', [REQ, '--model', 'gpt-4'], undefined, /model/],
  ];
  for (const [what, args, input, message] of bad) {
    it(`rejects ${what} with one line on stderr, exit 2, nothing written`, async () => {
      const run = await runCli(['generate', ...args, '--out', dir], { input });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(await readdir(dir)).toEqual([]);
    });
  }
});
