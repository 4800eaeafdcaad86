import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../packages/core/src/schemas/report.js';
import { validateAgent } from '../packages/core/src/validate/index.js';

/**
 * Real agent files from public collections (test/fixtures/real-agents, provenance in SOURCES.txt),
 * judged against a ground truth computed here, independently of the validator:
 *   (a) a frontmatter block opens on line 1 and is closed;
 *   (b) it is strict YAML (Claude Code's parser is js-yaml-like: on a YAML error the agent loads
 *       with no metadata at all) and a mapping;
 *   (c) `name` and `description` are present and valid.
 * A file failing (a)–(c) must get an error from gate 1. A file passing them whose tools are all
 * known, whose model is valid (or absent) and whose other documented settings hold documented
 * values must get no error from any gate: style (colors, descriptions, YAML lists, missing tracking
 * comments) is a warning.
 */

const ROOT = fileURLToPath(new URL('./fixtures/real-agents/', import.meta.url));
const SOURCES = join(ROOT, 'SOURCES.txt');

// Facts from the sub-agent docs (see /work/shared/REFERENCE.md), written out here on purpose
// rather than imported from the validator, so the two can disagree.
const BUILTIN_TOOLS = new Set([
  'Agent', 'Bash', 'Edit', 'Glob', 'Grep', 'LSP', 'Monitor', 'NotebookEdit', 'PowerShell', 'Read', 'Skill',
  'TaskCreate', 'TaskGet', 'TaskList', 'TaskStop', 'TaskUpdate', 'TodoWrite', 'ToolSearch', 'WebFetch',
  'WebSearch', 'Write', 'SendMessage', 'ListMcpResourcesTool', 'ReadMcpResourceTool',
]);
const MCP_TOOL = /^mcp__[A-Za-z0-9_.-]+$/;
const MODEL_ALIASES = new Set(['sonnet', 'opus', 'haiku', 'inherit']);
const FULL_MODEL_ID = /^claude-[a-z0-9][a-z0-9.-]*$/;
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Settings whose value Claude Code checks (color is cosmetic: an unknown one falls back to the default). */
const SETTINGS: Record<string, (v: unknown) => boolean> = {
  permissionMode: (v) => ['default', 'acceptEdits', 'auto', 'dontAsk', 'bypassPermissions', 'plan', 'manual'].includes(v as string),
  effort: (v) => ['low', 'medium', 'high', 'xhigh', 'max'].includes(v as string),
  memory: (v) => ['user', 'project', 'local'].includes(v as string),
  isolation: (v) => v === 'worktree',
  maxTurns: (v) => Number.isInteger(v) && (v as number) > 0,
  background: (v) => typeof v === 'boolean',
};
const DELIMITER = /^---[ \t]*\r?$/;

interface Truth {
  file: string;
  /** Why Claude Code cannot load the file's metadata; undefined when (a)–(c) hold. */
  broken?: string;
  /** Every `tools` entry is a current built-in or an MCP tool (or `tools` is absent). */
  knownTools: boolean;
  /** `model` is an alias or a full claude-… id (or absent). */
  validModel: boolean;
  /** permissionMode, effort, memory, isolation, maxTurns, background hold documented values (or are absent). */
  validSettings: boolean;
}

function toolNames(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : undefined;
  return parts?.map((p) => p.trim().replace(/\(.*$/s, '').trim()).filter((p) => p !== '');
}

function groundTruth(file: string, raw: string): Truth {
  const fail = (broken: string): Truth => ({ file, broken, knownTools: false, validModel: false, validSettings: false });
  // (a) Claude Code matches `---` at the very start of the file: a BOM or a blank line hides it.
  const lines = raw.split('\n');
  if (!DELIMITER.test(lines[0] ?? '')) return fail(raw.startsWith('\uFEFF') ? 'BOM before the frontmatter' : 'no frontmatter on line 1');
  const end = lines.findIndex((line, i) => i > 0 && DELIMITER.test(line));
  if (end === -1) return fail('frontmatter not closed');
  // (b) strict YAML, and a mapping.
  let data: unknown;
  try {
    data = parse(lines.slice(1, end).join('\n'), { strict: true, uniqueKeys: true });
  } catch (error) {
    return fail(`YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return fail('frontmatter is not a mapping');
  const fm = data as Record<string, unknown>;
  // (c) name and description.
  if (typeof fm.name !== 'string' || fm.name.length > 64 || !NAME.test(fm.name)) return fail(`invalid name ${JSON.stringify(fm.name)}`);
  if (typeof fm.description !== 'string' || fm.description.trim() === '') return fail('missing description');
  const tools = toolNames(fm.tools);
  return {
    file,
    knownTools: tools !== undefined && tools.every((t) => BUILTIN_TOOLS.has(t) || MCP_TOOL.test(t)),
    validModel: fm.model === undefined || (typeof fm.model === 'string' && (MODEL_ALIASES.has(fm.model) || FULL_MODEL_ID.test(fm.model))),
    validSettings: Object.entries(SETTINGS).every(([key, valid]) => fm[key] === undefined || valid(fm[key])),
  };
}

function agentFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? agentFiles(join(dir, e.name)) : e.name.endsWith('.md') && e.name !== 'SOURCES.txt' ? [join(dir, e.name)] : []))
    .sort();
}

const FILES = agentFiles(ROOT);
const wellFormed = (t: Truth): boolean => !t.broken && t.knownTools && t.validModel && t.validSettings;
const row = (f: Finding): string => `${f.rule}:${f.line} ${f.severity}`;

interface Outcome {
  truth: Truth;
  errors: Finding[];
  warnings: Finding[];
}
const outcomes = new Map<string, Outcome>();

async function outcome(path: string): Promise<Outcome> {
  const cached = outcomes.get(path);
  if (cached) return cached;
  const raw = readFileSync(path, 'utf8');
  const report = await validateAgent(raw);
  const findings = report.gates.flatMap((g) => g.findings);
  const result = {
    truth: groundTruth(relative(ROOT, path), raw),
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
  };
  outcomes.set(path, result);
  return result;
}

describe('validate on real agent files', () => {
  it('has a corpus of 120+ files from 5+ repositories', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(FILES.map((f) => basename(dirname(f)))).size).toBeGreaterThanOrEqual(5);
    for (const f of FILES) expect(readFileSync(SOURCES, 'utf8'), `${relative(ROOT, f)} has no provenance`).toContain(relative(ROOT, f));
  });

  it.each(FILES.map((f) => [relative(ROOT, f), f]))('%s', async (_name, path) => {
    const { truth, errors } = await outcome(path);
    if (truth.broken) {
      expect(errors.filter((f) => f.gate === 'syntax').map(row), `broken (${truth.broken}) but gate 1 has no error`).not.toEqual([]);
    } else if (wellFormed(truth)) {
      expect(errors.map((f) => `${row(f)} ${f.message}`), 'well-formed, known tools and model, yet errors').toEqual([]);
    }
  });

  afterAll(async () => {
    const all = await Promise.all(FILES.map(outcome));
    const broken = all.filter((o) => o.truth.broken);
    const good = all.filter((o) => wellFormed(o.truth));
    const rest = all.length - broken.length - good.length;
    const table = [
      ['files', all.length],
      ['broken (fail a–c)', broken.length],
      ['  errors agreed', broken.filter((o) => o.errors.some((f) => f.gate === 'syntax')).length],
      ['  missed errors', broken.filter((o) => !o.errors.some((f) => f.gate === 'syntax')).length],
      ['well-formed, known tools/model/settings', good.length],
      ['  false errors', good.filter((o) => o.errors.length > 0).length],
      ['loads, but unknown tool or bad value', rest],
      ['  with an error', all.filter((o) => !o.truth.broken && !good.includes(o) && o.errors.length > 0).length],
    ];
    const causes = new Map<string, number>();
    for (const o of broken) {
      const cause = (o.truth.broken ?? '').replace(/^(YAML: [^:]+|invalid name).*$/, '$1');
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    const rules = new Map<string, number>();
    for (const f of all.flatMap((o) => [...o.errors, ...o.warnings])) {
      const key = `${f.rule} (${f.severity})`;
      rules.set(key, (rules.get(key) ?? 0) + 1);
    }
    const width = Math.max(...table.map(([k]) => String(k).length));
    console.log([
      'real agent files vs ground truth',
      ...table.map(([k, v]) => `  ${String(k).padEnd(width)}  ${v}`),
      'why broken:',
      ...[...causes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${String(v).padStart(4)}  ${k}`),
      'findings by rule:',
      ...[...rules].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${String(v).padStart(4)}  ${k}`),
    ].join('\n'));
  });
});

/**
 * Cross-check with Claude Code itself (`claude plugin validate`), which reports exactly the
 * frontmatter Claude Code fails to load. Runs only where the CLI is installed: set CLAUDE_BIN
 * to its binary, or install `@anthropic-ai/claude-code` (about 235 MB, so not a dependency).
 */
function claudeBinary(): string | undefined {
  if (process.env.CLAUDE_BIN) return process.env.CLAUDE_BIN;
  try {
    const pkg = createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json');
    const bin = join(dirname(pkg), 'bin', 'claude.exe');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const CLAUDE = claudeBinary();

describe.skipIf(!CLAUDE)('claude plugin validate agrees on load failures', () => {
  it('reports a frontmatter error for exactly the files gate 1 rejects as unparseable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-real-agents-'));
    try {
      mkdirSync(join(dir, '.claude-plugin'));
      writeFileSync(join(dir, '.claude-plugin', 'plugin.json'), JSON.stringify({ name: 'real-agents', version: '0.0.0', description: 'corpus' }));
      mkdirSync(join(dir, 'agents'));
      const byCopy = new Map<string, string>();
      FILES.forEach((f, i) => {
        const copy = join(dir, 'agents', `${String(i).padStart(3, '0')}-${basename(f)}`);
        cpSync(f, copy);
        byCopy.set(copy, f);
      });
      let out: string;
      try {
        out = execFileSync(CLAUDE ?? '', ['plugin', 'validate', dir], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        out = String((error as { stdout?: unknown }).stdout ?? '');
      }
      // "Validating agent: PATH" then "✘ Found N error(s):" with "❯ frontmatter: …" lines.
      const claudeRejects = new Set<string>();
      for (const block of out.split(/^Validating agent: /m).slice(1)) {
        const path = block.slice(0, block.indexOf('\n')).trim();
        const errors = block.split(/^⚠ Found/m)[0] ?? '';
        if (/✘ Found \d+ error/.test(errors) && /❯ frontmatter: /.test(errors)) claudeRejects.add(byCopy.get(path) ?? path);
      }
      const disagreements: string[] = [];
      for (const f of FILES) {
        const { errors } = await outcome(f);
        const ours = errors.some((e) => e.rule === 'syntax/yaml-strict' || e.rule === 'syntax/frontmatter-mapping');
        if (ours !== claudeRejects.has(f)) disagreements.push(`${relative(ROOT, f)}: claude ${claudeRejects.has(f) ? 'rejects' : 'accepts'}, we ${ours ? 'reject' : 'accept'}`);
      }
      expect(disagreements).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

/** What the real files taught the validator, pinned on small inputs. */
describe('severities learned from real files', () => {
  const agent = (frontmatter: string, body = 'You are a reviewer.\n\n- Read the diff.\n'): string => `---\nname: a\ndescription: Use when x.\n${frontmatter}---\n${body}`;
  const rules = async (text: string, context = {}): Promise<string[]> =>
    (await validateAgent(text, context)).gates.flatMap((g) => g.findings).map((f) => `${f.rule}:${f.severity}`);
  const factory = { requirement: 'Review diffs', tier: 'simple' as const };

  it('reads CRLF as a warning (Claude Code loads it) but a lone CR or a BOM as an error (no frontmatter for Claude Code)', async () => {
    expect(await rules(agent('').replace(/\n/g, '\r\n'))).toContain('syntax/lf-line-endings:warning');
    expect(await rules(agent('').replace(/\n/g, '\r'))).toContain('syntax/lf-line-endings:error');
    expect(await rules(`\uFEFF${agent('')}`)).toContain('syntax/no-bom:error');
  });

  it('treats style and cosmetic values as warnings', async () => {
    const found = await rules(agent('color: magenta\nmemory:\n  - user\ntools: Glob, Grep, LS, ExitPlanMode, Read, NotebookRead\n'));
    expect(found).toEqual(expect.arrayContaining(['claude-code/color:warning', 'claude-code/memory:warning', 'claude-code/main-thread-only-tool:warning', 'claude-code/tool-legacy:warning']));
    expect(found.filter((r) => r.endsWith(':error'))).toEqual([]);
    expect(await rules(agent('memory: agent:x:y\n'))).toContain('claude-code/memory:error');
  });

  it('keeps quality rules errors for the factory\'s drafts but warnings on foreign files', async () => {
    const text = agent('permissionMode: bypassPermissions\n', 'You are x.\n\n- Fill in {{ProjectName}} later.\n');
    expect(await rules(text)).toEqual(expect.arrayContaining(['trust5/bypass-permissions:warning', 'content/no-placeholders:warning']));
    expect(await rules(text, factory)).toEqual(expect.arrayContaining(['trust5/bypass-permissions:error', 'content/no-placeholders:error']));
    expect(await rules(agent('', ''))).toContain('syntax/body-missing:warning');
    expect(await rules(agent('', ''), factory)).toContain('syntax/body-missing:error');
  });

  it('warns about documentation sample keys and errors on real-looking ones', async () => {
    expect(await rules(agent('', 'You are x.\n\n- Never log AKIAIOSFODNN7EXAMPLE.\n'))).toContain('trust5/no-secrets:warning');
    const realLooking = ['AKIA', 'Q3EGRT7KXN4WZP2L'].join(''); // built at run time so no scanner flags this file
    expect(await rules(agent('', `You are x.\n\n- Use ${realLooking}.\n`))).toContain('trust5/no-secrets:error');
  });
});
