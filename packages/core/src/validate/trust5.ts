import { findTrackingComment, requirementHash } from '../agent-file.js';
import type { GateResult } from '../schemas/report.js';
import { isFactoryDraft, type ValidationContext } from './context.js';
import { outline, sectionText, type Outline } from './outline.js';
import { countNewlines, type ParsedAgentFile } from './parse.js';
import { runInstruction } from './run-instruction.js';
import { GateFindings } from './scoring.js';
import { toolEntries } from './tool-list.js';

/** A paragraph longer than this is a wall of text a model skims. */
export const WALL_OF_TEXT_CHARS = 1_200;
const EDIT_TOOLS = new Set(['Edit', 'Write', 'NotebookEdit', 'MultiEdit']);
const VERIFY_WORDS = /\b(?:test|verif|check|lint|validat|assert|type-?check|build)/i;
const COMMAND_WORDS = /\b(?:commands?|run|runs|running|execut\w*|shell|scripts?|terminal|cli|bash|invoke)\b/i;
/** API keys, tokens and private keys that must never ship inside an agent file. */
const SECRETS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'an API key (sk-…)', pattern: /\bsk-(?:ant-|proj-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/ },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { kind: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
];
/**
 * One pass that good files fail, before the per-kind scan. It is also the cheapest test for the
 * patterns' literal prefixes: looking for each of them with includes() cost more on agent files.
 */
const ANY_SECRET = new RegExp(SECRETS.map((s) => s.pattern.source).join('|'));

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The line of an index in the file's text. One in the body is counted back from the body's end,
 * whose line count the outline knows: the tracking comment closes the file, so little is scanned.
 */
function fileLineOf(file: ParsedAgentFile, o: Outline, index: number): number {
  const bodyStart = file.text.length - file.body.length;
  if (index < bodyStart) return lineOf(file.text, index);
  return lineOf(file.text, bodyStart) + (o.lines.length - 1) - countNewlines(file.body, index - bodyStart, file.body.length);
}

/**
 * Documentation's example keys (AWS's `AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`, `sk-…1234567890…`), which
 * security agents quote as samples: still worth a look, but a warning, not an error.
 */
const SAMPLE_SECRET = /example|sample|dummy|fake|placeholder|redacted|your|(.)\1{5,}|0123456|123456789|abcdef/i;

function secretFindings(file: ParsedAgentFile, out: GateFindings): void {
  if (!ANY_SECRET.test(file.text)) return;
  for (const { kind, pattern } of SECRETS) {
    const all = new RegExp(pattern.source, 'g');
    let sample: RegExpExecArray | undefined;
    let real: RegExpExecArray | undefined;
    for (let m = all.exec(file.text); m !== null && !real; m = all.exec(file.text)) {
      if (!SAMPLE_SECRET.test(m[0])) real = m;
      else sample ??= m;
    }
    const m = real ?? sample;
    if (!m) continue;
    const shown = `${m[0].slice(0, 6)}…`; // never echo the secret itself
    if (real) {
      out.add('trust5/no-secrets', lineOf(file.text, m.index), `The file contains ${kind} (${shown}); remove it, revoke it, and have the agent read secrets from the environment.`);
    } else {
      out.add('trust5/no-secrets', lineOf(file.text, m.index), `The file contains what looks like a documentation sample of ${kind} (${shown}); make sure it is not a real one, or write a placeholder such as \`$AWS_ACCESS_KEY_ID\`.`, { severity: 'warning' });
    }
  }
}

/** The tool names granted; undefined when `tools` is absent (the agent inherits every tool). */
function grantedTools(file: ParsedAgentFile): string[] | undefined {
  const field = file.frontmatter.fields.get('tools');
  return field ? toolEntries(field.value)?.map((e) => e.name) : undefined;
}

function testFirst(file: ParsedAgentFile, o: Outline, tools: string[] | undefined, out: GateFindings): void {
  const edits = tools === undefined || tools.some((t) => EDIT_TOOLS.has(t));
  if (!edits) return;
  const workflow = sectionText(o, 'Workflow') ?? file.body;
  if (VERIFY_WORDS.test(workflow)) return;
  const line = o.headings.find((h) => h.level === 2 && h.text.toLowerCase() === 'workflow')?.line ?? file.bodyLine;
  out.add('trust5/test-first', line, 'The agent can edit files but its workflow never says how it verifies the change; add a step that runs the tests, linter or a check.');
}

function readableUnified(file: ParsedAgentFile, o: Outline, out: GateFindings): void {
  const h1 = o.headings.filter((h) => h.level === 1);
  const h2 = o.headings.some((h) => h.level === 2);
  if (!h2 && h1.length > 1) {
    out.add('trust5/sections-h2', h1[1]?.line ?? file.bodyLine, 'Sections use `# ` headings; use `## ` for sections (at most one `# ` title).');
  } else if (!h2) {
    out.add('trust5/headings', file.bodyLine, 'The body has no `## ` sections; organise it as ## Role, ## Workflow, ## Constraints, ## Output format.');
  }
  for (const block of o.blocks) {
    if (block.kind === 'prose' && block.text.length > WALL_OF_TEXT_CHARS) {
      out.add('trust5/wall-of-text', block.line, `A ${block.text.length}-character paragraph is a wall of text; split it or turn it into a list (at most ${WALL_OF_TEXT_CHARS}).`);
    }
  }
  if (o.blocks.length > 0 && !o.blocks.some((b) => b.kind === 'list')) {
    out.add('trust5/lists', file.bodyLine, 'The body uses no lists; write responsibilities, steps and constraints as `-` or numbered lists.');
  }
}

function secured(file: ParsedAgentFile, o: Outline, tools: string[] | undefined, context: ValidationContext, out: GateFindings): void {
  const mode = file.frontmatter.fields.get('permissionMode');
  if (mode?.value === 'bypassPermissions') {
    // A valid setting Claude Code honours: the factory never writes it (an error in its drafts),
    // and in a foreign file it is a loud warning.
    out.add('trust5/bypass-permissions', mode.line, '`permissionMode: bypassPermissions` skips every permission check; use default, acceptEdits or plan.', isFactoryDraft(context) ? { severity: 'error' } : {});
  }
  secretFindings(file, out);
  if (tools?.includes('Bash') && !o.hasCode && !COMMAND_WORDS.test(file.body)) {
    const line = file.frontmatter.fields.get('tools')?.line ?? 1;
    out.add('trust5/bash-commands', line, 'The agent has Bash but the body never says which commands it runs; name them (e.g. `npm test`) or remove Bash.');
  }
  const run = tools && !tools.includes('Bash') ? runInstruction(file.body) : undefined;
  if (run) {
    out.add('trust5/commands-without-bash', file.bodyLine + run.line - 1, `The body tells the agent to "${run.text}", but \`tools\` grants no Bash to run it with; grant Bash, or have the agent give the caller the command to run.`);
  }
}

function trackable(file: ParsedAgentFile, o: Outline, context: ValidationContext, out: GateFindings): void {
  const m = findTrackingComment(file.text);
  if (!m) {
    const line = fileLineOf(file, o, file.text.trimEnd().length);
    const message = 'No trailing tracking comment `<!-- agent-factory VERSION · requirement sha256:HASH · tier TIER -->`; regenerate the agent with agent-factory to make it traceable.';
    if (context.requirement !== undefined) out.add('trust5/tracking-comment', line, message, { severity: 'error' });
    // A file from elsewhere is not worse for lacking our comment: a note, not a failing score.
    else out.add('trust5/tracking-comment', line, message);
    return;
  }
  const line = fileLineOf(file, o, m.index);
  if (context.requirement !== undefined) {
    const expected = requirementHash(context.requirement);
    if (m[2] !== expected) out.add('trust5/requirement-hash', line, `The tracking comment names requirement ${m[2] ?? '?'}, but this requirement hashes to ${expected}; regenerate the agent or fix the comment.`);
  }
  if (context.tier && m[3] !== context.tier) {
    out.add('trust5/tracking-tier', line, `The tracking comment says tier ${m[3] ?? '?'}, but the agent is ${context.tier}; regenerate it for the right tier.`);
  }
}

/** Gate 4, TRUST 5: Test-first, Readable, Unified, Secured, Trackable. */
export function checkTrust5(file: ParsedAgentFile, context: ValidationContext = {}): GateResult {
  const out = new GateFindings('trust5');
  const o = outline(file);
  const tools = grantedTools(file);
  testFirst(file, o, tools, out);
  readableUnified(file, o, out);
  secured(file, o, tools, context, out);
  trackable(file, o, context, out);
  return out.result();
}
