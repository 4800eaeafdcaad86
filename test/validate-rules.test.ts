import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ValidationContext } from '../packages/core/src/validate/context.js';
import {
  checkAgentBytes, parseAgentFile, PASS_THRESHOLDS, RULES, TIER_SECTIONS, validateAgent, validateAgentBytes, validateAgentSync, withDuplicateNames, type RuleId,
} from '../packages/core/src/validate/index.js';
import type { GateReport } from '../packages/core/src/schemas/report.js';

const FIXTURES = new URL('./fixtures/agents/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');
const fixtureName = (rule: string): string => `${rule.replace('/', '-')}.md`;

/** Rules that only apply when the validator knows the requirement, tier or policy. */
const CONTEXTS: Partial<Record<RuleId, ValidationContext>> = {
  'content/tier-sections': { tier: 'simple' },
  'content/key-terms': { keyTerms: ['kubernetes', 'helm chart', 'argo cd', 'log'] },
  'claude-code/policy-tools': { policy: { tools: ['Read', 'Grep', 'Glob'], permissionMode: 'plan', reasons: [] } },
  'trust5/requirement-hash': { requirement: 'Triage failed CI logs' },
  'trust5/tracking-tier': { tier: 'standard' },
};

/** Rules across files: the fixture is validated after this file, which declares the same name first. */
const EARLIER_FILE: Partial<Record<RuleId, string>> = {
  'claude-code/duplicate-name': 'good/log-triage.md',
};

/** A fixture's report as `agent-factory validate` makes it: from the file's bytes (syntax/encoding's fixture is Latin-1), after its earlier file. */
async function fixtureReport(rule: RuleId, path: string): Promise<GateReport> {
  const bytes = (p: string): Buffer => readFileSync(new URL(p, FIXTURES));
  const earlier = EARLIER_FILE[rule];
  const own = { path, ...(await checkAgentBytes(bytes(path), CONTEXTS[rule] ?? {})) };
  if (!earlier) return own.report;
  // The earlier file as if beside this one: names clash within a folder.
  const files = withDuplicateNames([{ path: path.replace(/[^/]+$/, 'earlier.md'), ...(await checkAgentBytes(bytes(earlier))) }, own]);
  return files[1]?.report ?? own.report;
}

describe('validateAgent rules', () => {
  const rules = Object.keys(RULES) as RuleId[];

  it.each(rules)('%s has a broken fixture that triggers it', async (rule) => {
    const name = fixtureName(rule);
    expect(existsSync(new URL(`broken/${name}`, FIXTURES)), `missing fixture broken/${name}`).toBe(true);
    const report = await fixtureReport(rule, `broken/${name}`);
    const findings = report.gates.flatMap((g) => g.findings).filter((f) => f.rule === rule);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.gate).toBe(RULES[rule].gate);
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.message.length).toBeGreaterThan(20);
    }
    // An error-level rule fails its gate, and the gate fails the report.
    if (findings.some((f) => f.severity === 'error')) {
      expect(report.gates.find((g) => g.gate === RULES[rule].gate)?.passed).toBe(false);
      expect(report.passed).toBe(false);
    }
  });

  it('has no fixture without a rule', () => {
    const names = new Set(rules.map(fixtureName));
    expect(readdirSync(new URL('broken/', FIXTURES)).filter((f) => !names.has(f))).toEqual([]);
  });

  const good = readdirSync(new URL('good/', FIXTURES)).filter((f) => f.endsWith('.md'));
  it.each(good)('good/%s has no error', async (name) => {
    const report = await validateAgent(read(`good/${name}`));
    const errors = report.gates.flatMap((g) => g.findings).filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
    for (const gate of report.gates.filter((g) => g.gate !== 'trust5')) expect(gate.passed).toBe(true);
  });

  it('passes factory-style files on every gate with their tier, key terms and policy', async () => {
    const report = await validateAgent(read('good/terraform-s3-plan-reviewer.md'), {
      tier: 'standard',
      keyTerms: ['Terraform', 'S3', 'public', 'bucket policies'],
      policy: { tools: ['Read', 'Grep', 'Glob'], permissionMode: 'plan', reasons: [] },
    });
    expect(report.gates.map((g) => [g.gate, g.score])).toEqual([['syntax', 100], ['content', 100], ['claude-code', 100], ['trust5', 100]]);
    expect(report.passed).toBe(true);
    expect((await validateAgent(read('good/log-triage.md'), { tier: 'simple' })).passed).toBe(true);
  });

  it('notes a missing tracking comment on a foreign file, and fails our own draft for it', async () => {
    const report = await validateAgent(read('broken/trust5-tracking-comment.md'));
    const trust = report.gates.find((g) => g.gate === 'trust5');
    expect(trust?.score).toBeGreaterThanOrEqual(PASS_THRESHOLDS.trust5.minScore);
    expect(trust?.findings.map((f) => [f.rule, f.severity])).toEqual([['trust5/tracking-comment', 'warning']]);
    const known = await validateAgent(read('broken/trust5-tracking-comment.md'), { requirement: 'x' });
    expect(known.gates.find((g) => g.gate === 'trust5')?.findings[0]?.severity).toBe('error');
  });

  it('warns of running without Bash only where the agent itself is to run something', async () => {
    const agent = (tools: string, step: string): string =>
      `---\nname: form-builder\ndescription: Use when you need a form built. It edits files.\ntools: ${tools}\nmodel: haiku\n---\n\nYou are a form builder.\n\n## Workflow\n\n1. ${step}\n`;
    const warned = async (tools: string, step: string): Promise<string[]> =>
      (await validateAgent(agent(tools, step))).gates.flatMap((g) => g.findings).filter((f) => f.rule === 'trust5/commands-without-bash').map((f) => `${f.line}: ${f.message}`);
    expect(await warned('Read, Edit', 'Write the tests, then run the test suite.')).toEqual([
      '12: The body tells the agent to "run the test suite", but `tools` grants no Bash to run it with; grant Bash, or have the agent give the caller the command to run.',
    ]);
    expect(await warned('Read, Edit', 'Run `npm test` after each change.')).toHaveLength(1);
    expect(await warned('Read, Edit, Bash', 'Run `npm test` after each change.')).toEqual([]);
    const example = 'Write agents like this one:\n\n```markdown\n## Workflow\n1. Run the tests: `npm test`\n```';
    for (const step of ['Ask the caller to run the tests and share the output.', 'Never run `npm publish`.', 'The user should run the linter.', 'Give the caller the command that runs the tests.', example]) {
      expect(await warned('Read, Edit', step), step).toEqual([]);
    }
  });

  it('finds key terms whatever their case in the body, and names the missing ones', () => {
    const file = `---\nname: a\ndescription: Use when x.\n---\n\nYou are a KUBERNETES helper for Helm charts and İstanbul ΣΑΣ teams.\n`;
    const missing = (keyTerms: string[]): string[] => validateAgentSync(file, { keyTerms }).gates[1]?.findings.filter((f) => f.rule === 'content/key-terms').map((f) => f.message.split('"')[1] ?? '') ?? [];
    expect(missing(['kubernetes', 'Helm Chart', 'helm-charts', 'σας', 'argo cd'])).toEqual(['argo cd']);
  });

  it('judges each of several files by its own body, checked in turn or at once', async () => {
    const good = read('good/log-triage.md');
    const noLists = read('broken/trust5-lists.md');
    const alone = [validateAgentSync(good), validateAgentSync(noLists)];
    expect(alone[0]).not.toEqual(alone[1]);
    expect(await Promise.all([validateAgent(noLists), validateAgent(good), validateAgent(noLists)])).toEqual([alone[1], alone[0], alone[1]]);
    expect([validateAgentSync(good), validateAgentSync(noLists), validateAgentSync(good)]).toEqual([alone[0], alone[1], alone[0]]);
  });

  it('measures a wall of text as its lines joined, the last paragraph of the body included', () => {
    const para = `${'a'.repeat(700)}\n${'b'.repeat(600)}`;
    const walls = validateAgentSync(`---\nname: a\ndescription: Use when x.\n---\nYou are x.\n\n${para}\n\n## Workflow\n\n- step\n\n${para}`).gates[3]?.findings
      .filter((f) => f.rule === 'trust5/wall-of-text').map((f) => [f.line, f.message.split('-')[0]]);
    expect(walls).toEqual([[7, 'A 1301'], [14, 'A 1301']]);
  });

  it('puts the tracking comment finding on its own line, with CRLF endings or no frontmatter', () => {
    const comment = '<!-- agent-factory 0.1.0 · requirement sha256:0000000000000000 · tier simple -->';
    const hashLine = (text: string): number | undefined =>
      validateAgentSync(text, { requirement: 'r' }).gates[3]?.findings.find((f) => f.rule === 'trust5/requirement-hash')?.line;
    expect(hashLine(`---\nname: a\ndescription: Use when x.\n---\n\nYou are x.\n\n${comment}\n\n`)).toBe(8);
    expect(hashLine(`---\r\nname: a\r\n---\r\nYou are x.\r\n${comment}\r\n`)).toBe(5);
    expect(hashLine(`You are x.\n\n${comment}`)).toBe(3);
  });

  it('sees a list that follows a paragraph line directly, as in the sub-agent docs', () => {
    const rules = (body: string): string[] =>
      validateAgentSync(`---\nname: code-reviewer\ndescription: Use after writing or modifying code.\n---\n\n${body}`).gates.flatMap((g) => g.findings).map((f) => `${f.rule}:${f.line}`);
    const role = 'You are a senior code reviewer ensuring high standards of code quality and security.\n\n';
    expect(rules(`${role}When invoked:\n1. Run git diff to see recent changes\n2. Focus on modified files\n`)).not.toContain('trust5/lists:5');
    expect(rules(`${role}Review checklist:\n- Code is clear and readable\n- No exposed secrets or API keys\n`)).not.toContain('trust5/lists:5');
    // CommonMark: an ordered list may interrupt a paragraph only from 1, and `2.` here continues the paragraph.
    expect(rules(`${role}Since release\n2. we renamed it.\n`)).toContain('trust5/lists:5');
    expect(rules(`${role}Plain prose, no list.\n`)).toContain('trust5/lists:5');
    // The list under a paragraph is not part of that paragraph's length, and the first paragraph is still the role.
    const steps = Array.from({ length: 30 }, (_, i) => `${i + 1}. Check the ${i + 1}th thing in the modified files carefully.`).join('\n');
    expect(rules(`${role}When invoked:\n${steps}\n`).filter((r) => r.startsWith('trust5/wall-of-text') || r.startsWith('content/second-person-role'))).toEqual([]);
    expect(rules(`${role}${'A long paragraph that goes on. '.repeat(50)}\n`)).toContain('trust5/wall-of-text:8');
  });

  it('says "quote the value" for an unquoted ": " at the right line', async () => {
    const report = await validateAgent(read('broken/syntax-yaml-strict.md'));
    const f = report.gates[0]?.findings.find((x) => x.rule === 'syntax/yaml-strict');
    expect(f?.line).toBe(3);
    expect(f?.message).toContain('quote the value');
  });

  it('reports the first CRLF line and the BOM on line 1', () => {
    const crlf = validateAgentSync('---\nname: a\r\ndescription: Use when x.\r\n---\nYou are x.\n');
    expect(crlf.gates[0]?.findings.find((f) => f.rule === 'syntax/lf-line-endings')?.line).toBe(2);
    const bom = validateAgentSync(`\uFEFF${read('good/log-triage.md')}`);
    expect(bom.gates[0]?.findings.map((f) => [f.rule, f.line])).toEqual([['syntax/no-bom', 1]]);
  });

  it('reports a file that is not UTF-8 with one finding at the first bad byte, naming UTF-16', async () => {
    const only = async (bytes: Uint8Array): Promise<string[]> =>
      (await validateAgentBytes(bytes)).gates.flatMap((g) => g.findings).map((f) => `${f.rule}:${f.severity}:${f.line}: ${f.message}`);
    const latin1 = await only(readFileSync(new URL('broken/syntax-encoding.md', FIXTURES)));
    expect(latin1).toHaveLength(1);
    expect(latin1[0]).toMatch(/^syntax\/encoding:error:3: The file is not UTF-8: byte 0xE9 on line 3 .*save the file as UTF-8/);
    const text = read('good/log-triage.md');
    for (const [bytes, order] of [[Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'LE'], [Buffer.from(text, 'utf16le'), 'LE'], [Buffer.from(text, 'utf16le').swap16(), 'BE']] as const) {
      const findings = await only(bytes);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatch(new RegExp(`^syntax/encoding:error:1: The file is UTF-16 ${order} .*save the file as UTF-8`));
    }
    // UTF-16 of a body with few ASCII characters is still known by its first line, `---`.
    expect(await only(Buffer.from(`---\nname: a\ndescription: Use when x.\n---\n${'你好世界'.repeat(600)}`, 'utf16le'))).toEqual([
      'syntax/encoding:error:1: The file is UTF-16 LE (by its first line, `---` in UTF-16), not UTF-8; save the file as UTF-8 (without BOM) in your editor, or convert it with `iconv`: Claude Code reads agent files as UTF-8.',
    ]);
    expect((await only(Buffer.from(`${text}\n\0`)))[0]).toMatch(/^syntax\/encoding:error:\d+: The file has a NUL byte on line \d+ /);
    // UTF-8, with or without a BOM, is read as it is: the BOM stays gate 1's own finding.
    expect(await validateAgentBytes(Buffer.from(text))).toEqual(await validateAgent(text));
    expect((await only(Buffer.from(`\uFEFF${text}`))).map((f) => f.split(':')[0])).toContain('syntax/no-bom');
    expect((await only(Buffer.from(`\uFEFF${text}`))).map((f) => f.split(':')[0])).not.toContain('syntax/encoding');
  });

  it('tells each later file of a shared name which file has it first, and leaves distinct names alone', async () => {
    const agent = (name: string): Buffer => Buffer.from(read('good/log-triage.md').replace('name: log-triage', `name: ${name}`));
    const files = await Promise.all([['a.md', 'code-reviewer'], ['b.md', 'log-triage'], ['c.md', 'code-reviewer'], ['d.md', 'code-reviewer']]
      .map(async ([path = '', name = '']) => ({ path, ...(await checkAgentBytes(agent(name))) })));
    const checked = withDuplicateNames(files);
    const duplicates = checked.map((f) => f.report.gates.flatMap((g) => g.findings).filter((x) => x.rule === 'claude-code/duplicate-name').map((x) => `${x.severity}:${x.line}: ${x.message}`));
    expect(duplicates).toEqual([[], [], ...Array.from({ length: 2 }, () => [
      'error:2: Another agent file, a.md (line 2), is named "code-reviewer" too: Claude Code loads only one agent per name, so rename one of them.',
    ])]);
    expect(checked.map((f) => f.report.passed)).toEqual([true, true, false, false]);
    // Another folder (another project's agents, a second output folder) is never loaded with these.
    const elsewhere = withDuplicateNames([files[0]!, { ...files[0]!, path: 'other/a.md' }, { ...files[0]!, path: 'other\\b\\a.md' }]);
    expect(elsewhere.map((f) => f.report.passed)).toEqual([true, true, true]);
    expect(checked[2]?.report.gates.find((g) => g.gate === 'claude-code')).toMatchObject({ passed: false, score: 75 });
  });

  it('treats a YAML tools list as a warning and still checks its names', () => {
    const report = validateAgentSync('---\nname: a\ndescription: Use when x.\ntools:\n  - Read\n  - LS\n---\nYou are x.\n');
    const rules = report.gates.flatMap((g) => g.findings).map((f) => `${f.rule}:${f.severity}:${f.line}`);
    expect(rules).toContain('syntax/tools-string:warning:4');
    expect(rules).toContain('claude-code/tool-legacy:warning:4');
  });

  it('warns of `tools: ""` as of an empty `tools:`', () => {
    const findings = (tools: string): string[] =>
      validateAgentSync(`---\nname: a\ndescription: Use when x.\n${tools}\n---\nYou are x.\n`).gates.flatMap((g) => g.findings)
        .filter((f) => f.rule === 'syntax/tools-string').map((f) => `${f.severity}:${f.line}: ${f.message}`);
    const empty = findings('tools:');
    expect(empty).toEqual(['warning:4: `tools` is empty; list tools as a comma-separated string, or remove the line to inherit every tool.']);
    expect(findings('tools: ""')).toEqual(empty);
    expect(findings("tools: '  '")).toEqual(empty);
    expect(findings('disallowedTools: ""')).toHaveLength(1);
  });

  it('says YAML read an unquoted name as a number, boolean or null, and to quote it', () => {
    const message = (name: string): string | undefined =>
      validateAgentSync(`---\nname: ${name}\ndescription: Use when x.\n---\nYou are x.\n`).gates.flatMap((g) => g.findings)
        .find((f) => f.rule === 'syntax/name-format')?.message;
    expect(message('123')).toBe('YAML reads `name: 123` as a number, not as text: quote it (`name: "123"`).');
    expect(message('true  # yes')).toBe('YAML reads `name: true` as a boolean, not as text: quote it (`name: "true"`).');
    expect(message('null')).toContain('as no value (null), not as text: quote it (`name: "null"`)');
    expect(message('1.5')).toContain('as a number, not as text; write a name of lowercase letters, digits and hyphens');
    expect(message('"123"')).toBeUndefined();
    expect(message('[a]')).toBe('`name` must be a non-empty string of lowercase letters, digits and hyphens.');
  });

  it('allows ExitPlanMode under permissionMode: plan only', () => {
    const file = (mode: string): string => `---\nname: a\ndescription: Use when x.\ntools: Read, ExitPlanMode\npermissionMode: ${mode}\n---\nYou are x.\n`;
    const rules = (mode: string): string[] => validateAgentSync(file(mode)).gates.flatMap((g) => g.findings).map((f) => f.rule);
    expect(rules('plan')).not.toContain('claude-code/main-thread-only-tool');
    expect(rules('default')).toContain('claude-code/main-thread-only-tool');
  });

  it('ignores placeholders inside code', () => {
    const body = 'You are x.\n\n- Render `{{ .Values.image }}` in charts.\n\n```\n# TODO: nothing\n```\n';
    const report = validateAgentSync(`---\nname: a\ndescription: Use when x.\n---\n${body}`);
    expect(report.gates.flatMap((g) => g.findings).map((f) => f.rule)).not.toContain('content/no-placeholders');
  });

  it('keeps TIER_SECTIONS equal to the generator templates', () => {
    const path = new URL('../packages/core/templates/tiers.yaml', import.meta.url);
    if (!existsSync(path)) return;
    const tiers = parse(readFileSync(path, 'utf8')) as Record<string, { heading: string }[]>;
    for (const [tier, sections] of Object.entries(TIER_SECTIONS)) {
      expect(tiers[tier]?.map((s) => s.heading)).toEqual(sections);
    }
  });
});

describe('parseAgentFile', () => {
  it('records field lines, the body and its first line', () => {
    const file = parseAgentFile(read('good/terraform-s3-plan-reviewer.md'));
    expect(file.frontmatter.status).toBe('ok');
    expect([...file.frontmatter.fields].map(([k, v]) => [k, v.line])).toEqual([
      ['name', 2], ['description', 3], ['tools', 4], ['model', 5], ['color', 6],
    ]);
    expect(file.frontmatter.endLine).toBe(7);
    expect(file.bodyLine).toBe(8);
    expect(file.body.startsWith('\nYou are a Terraform plan reviewer')).toBe(true);
  });

  it('handles empty, unclosed and misplaced frontmatter', () => {
    expect(parseAgentFile('').frontmatter.status).toBe('missing');
    expect(parseAgentFile('---').frontmatter.status).toBe('unclosed');
    expect(parseAgentFile('---\n---\n').frontmatter.fields.size).toBe(0);
    expect(parseAgentFile('\n\n---\nname: a\n---\n').frontmatter).toMatchObject({ status: 'misplaced', startLine: 3, endLine: 5 });
  });

  const unit = fc.constantFrom('---', '\n', '\r\n', '\r', ': ', 'name', 'description', 'tools', '"', "'", '[', ']', '{', '}',
    '&a', '*a', '- ', '  ', '\t', '#', '## ', '<!--', '-->', '`', '```', '\uFEFF', 'You', 'TODO', 'é', '\u0000', 'sk-', '|', '>');
  const text = fc.oneof(fc.string({ unit, maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }));

  it('never throws, and validateAgent always returns four gates', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (input) => {
        parseAgentFile(input);
        const report = await validateAgent(input, { tier: 'complex', keyTerms: ['a'], requirement: 'r' });
        expect(report.gates).toHaveLength(4);
        for (const f of report.gates.flatMap((g) => g.findings)) expect(f.rule.endsWith('internal-error')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads accented, non-Latin and quoted frontmatter values as the YAML library does', () => {
    const values = ['Reviews Terraform plans — before apply.', 'Überprüft Python-Code auf Sicherheitslücken.', 'Проверяет код.', 'Ça va, déjà vu.',
      '"Use when: a \\"quoted\\" value \\u00e9."', '"Tab\\tand é"', 'Plain ASCII with (parens), slashes/and & 50% more!'];
    for (const value of values) {
      const fm = `name: a\ndescription: ${value}\n`;
      expect(parseAgentFile(`---\n${fm}---\nYou are x.\n`).frontmatter.fields.get('description')?.value).toBe((parse(fm) as { description: string }).description);
    }
  });

  it('copes with a huge file', () => {
    const huge = `---\nname: a\ndescription: Use when x.\n---\n${'You are x. '.repeat(200_000)}`;
    expect(validateAgentSync(huge).gates).toHaveLength(4);
  });
});
