import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateAgent } from '@agent-factory/core';

/**
 * Cross-check against Claude Code itself: `claude plugin validate` reports exactly the frontmatter
 * that Claude Code fails to load. Runs when `claude` is installed (on PATH, or CLAUDE_BIN); the
 * package is ~235 MB, so it is not a dependency.
 */
const claude = process.env['CLAUDE_BIN'] ?? (spawnSync('claude', ['--version'], { stdio: 'ignore' }).status === 0 ? 'claude' : undefined);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function agentFiles(): string[] {
  const dirs = [join(fixtures, 'agents/broken'), join(fixtures, 'agents/good'), fileURLToPath(new URL('./golden/', import.meta.url))];
  const realAgents = join(fixtures, 'real-agents');
  try {
    for (const d of readdirSync(realAgents, { withFileTypes: true })) if (d.isDirectory()) dirs.push(join(realAgents, d.name));
  } catch {
    // no real-agents corpus in this checkout
  }
  return dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.md')).map((f) => join(d, f)));
}

/** Claude Code's verdict per agent file: 'error' (fails to load metadata), 'no-frontmatter' or 'ok'. */
function claudeVerdicts(files: string[]): Map<string, string> {
  const plugin = mkdtempSync(join(tmpdir(), 'af-plugin-'));
  mkdirSync(join(plugin, '.claude-plugin'));
  mkdirSync(join(plugin, 'agents'));
  writeFileSync(join(plugin, '.claude-plugin/plugin.json'), JSON.stringify({ name: 'af-cross-check', version: '0.0.0', description: 'cross-check', author: { name: 'test' } }));
  const names = new Map<string, string>();
  files.forEach((f, i) => {
    const name = `f${i}-${basename(f)}`;
    cpSync(f, join(plugin, 'agents', name));
    names.set(name, f);
  });
  const run = spawnSync(claude as string, ['plugin', 'validate', plugin], { encoding: 'utf8', timeout: 120_000 });
  const verdicts = new Map<string, string>();
  for (const block of `${run.stdout}${run.stderr}`.split(/^Validating agent: /m).slice(1)) {
    const name = basename(block.split('\n')[0] ?? '');
    const file = names.get(name);
    if (!file) continue;
    verdicts.set(file, /✘ Found/.test(block) ? 'error' : /No frontmatter block found/.test(block) ? 'no-frontmatter' : 'ok');
  }
  for (const f of files) if (!verdicts.has(f)) verdicts.set(f, 'ok');
  return verdicts;
}

describe.skipIf(!claude)('agreement with `claude plugin validate`', () => {
  it('every file Claude Code cannot load (or that has no frontmatter) is an error for us too', async () => {
    const files = agentFiles();
    const verdicts = claudeVerdicts(files);
    const missed: string[] = [];
    for (const [file, verdict] of verdicts) {
      if (verdict === 'ok') continue;
      const report = await validateAgent(readFileSync(file, 'utf8'));
      if (!report.gates.some((g) => g.findings.some((f) => f.severity === 'error'))) missed.push(`${file} (${verdict})`);
    }
    const broken = [...verdicts.values()].filter((v) => v !== 'ok').length;
    process.stdout.write(`claude cross-check: ${files.length} files, ${broken} Claude Code cannot load or has no frontmatter, ${missed.length} missed by us\n`);
    expect(broken).toBeGreaterThan(0);
    expect(missed).toEqual([]);
  }, 180_000);
});
