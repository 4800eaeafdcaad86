import { AGENT_NAME_MAX, AGENT_NAME_PATTERN, KNOWN_FIELDS } from '../claude-code-facts.js';
import type { GateResult } from '../schemas/report.js';
import { isFactoryDraft, type ValidationContext } from './context.js';
import type { ParsedAgentFile } from './parse.js';
import { GateFindings } from './scoring.js';
import { yamlMisread, type YamlMisread } from './yaml-misread.js';

const KNOWN = new Set<string>(KNOWN_FIELDS);
/** `key: text: more` on one line: the classic unquoted colon. */
const UNQUOTED_COLON = /^[\w-]+:[ \t]+[^'"|>\s][^#]*?:[ \t]/;
const HTML_COMMENT = /<!--[\s\S]*?-->/g;
const NOT_NAME_CHARS = /[^a-z0-9]+/g;
const EDGE_HYPHENS = /^-+|-+$/g;
const FIELD_BY_SQUASHED = new Map(KNOWN_FIELDS.map((f) => [squash(f), f]));

/** `disallowed_tools`, `Disallowed-Tools` → `disallowedtools`, to suggest the real field. */
function squash(key: string): string {
  return key.toLowerCase().replace(NOT_NAME_CHARS, '');
}

function yamlFindings(file: ParsedAgentFile, out: GateFindings): void {
  const lines = file.text.split('\n', file.frontmatter.endLine);
  const seen = new Set<number>();
  for (const e of file.frontmatter.yamlErrors) {
    if (seen.has(e.line)) continue; // one finding per line: the yaml library often reports a cause twice
    seen.add(e.line);
    const source = lines[e.line - 1] ?? '';
    const hint = UNQUOTED_COLON.test(source) || e.code === 'BLOCK_AS_IMPLICIT_KEY'
      ? 'the value contains ": ", so quote the value (wrap it in double quotes, escaping any " inside) or use a `>` block'
      : 'fix the YAML; Claude Code loads the agent with no metadata until it parses';
    out.add('syntax/yaml-strict', e.line, `Frontmatter is not valid YAML (${e.message}): ${hint}.`);
  }
}

/** `name: 123` is all digits, a fine name, but YAML reads a number: the fix is quotes, not other characters. */
function misreadNameMessage({ written, kind }: YamlMisread): string {
  const said = `YAML reads \`name: ${written}\` as ${kind}, not as text`;
  if (AGENT_NAME_PATTERN.test(written)) return `${said}: quote it (\`name: "${written}"\`).`;
  const suggestion = nameSuggestion(written);
  return `${said}; write a name of lowercase letters, digits and hyphens, in quotes when YAML would read it otherwise${suggestion ? ` (e.g. \`name: "${suggestion}"\`)` : ''}.`;
}

function nameSuggestion(name: string): string {
  return name.toLowerCase().replace(NOT_NAME_CHARS, '-').replace(EDGE_HYPHENS, '');
}

function nameFindings(file: ParsedAgentFile, out: GateFindings): void {
  const field = file.frontmatter.fields.get('name');
  if (!field) {
    out.add('syntax/name-required', file.frontmatter.startLine, 'Add a `name:` field (lowercase letters, digits and hyphens, e.g. `name: code-reviewer`).');
    return;
  }
  const name = field.value;
  const misread = yamlMisread(name, file.text.split('\n', field.line)[field.line - 1] ?? '');
  if (misread) {
    out.add('syntax/name-format', field.line, misreadNameMessage(misread));
  } else if (typeof name !== 'string' || name === '') {
    out.add('syntax/name-format', field.line, '`name` must be a non-empty string of lowercase letters, digits and hyphens.');
  } else if (name.includes(':')) {
    out.add('syntax/name-format', field.line, `\`name\` "${name}" contains ":", which Claude Code reserves for plugin:agent; use hyphens.`);
  } else if (name.length > AGENT_NAME_MAX) {
    out.add('syntax/name-format', field.line, `\`name\` is ${name.length} characters; shorten it to at most ${AGENT_NAME_MAX}.`);
  } else if (!AGENT_NAME_PATTERN.test(name)) {
    const suggestion = nameSuggestion(name);
    out.add('syntax/name-format', field.line, `\`name\` "${name}" must be lowercase letters, digits and single hyphens${suggestion ? ` (e.g. "${suggestion}")` : ''}.`);
  }
}

function descriptionFindings(file: ParsedAgentFile, out: GateFindings): void {
  const field = file.frontmatter.fields.get('description');
  if (!field) {
    out.add('syntax/description-required', file.frontmatter.startLine, 'Add a `description:` field saying when to use the agent (e.g. "Use when …").');
  } else if (typeof field.value !== 'string' || field.value.trim() === '') {
    out.add('syntax/description-string', field.line, '`description` must be a non-empty string; write one or two sentences saying when to use the agent.');
  }
}

function toolsFieldFindings(file: ParsedAgentFile, out: GateFindings): void {
  for (const key of ['tools', 'disallowedTools']) {
    const field = file.frontmatter.fields.get(key);
    // `tools: ""` says as little as `tools:`, so both get the same warning.
    const empty = field?.value === null || field?.value === undefined || (typeof field?.value === 'string' && field.value.trim() === '');
    if (!field || (typeof field.value === 'string' && !empty)) continue;
    if (Array.isArray(field.value)) {
      const joined = field.value.map(String).join(', ');
      out.add('syntax/tools-string', field.line, `\`${key}\` is a YAML list; Claude Code expects a comma-separated string: \`${key}: ${joined}\`.`);
    } else if (empty) {
      out.add('syntax/tools-string', field.line, `\`${key}\` is empty; list tools as a comma-separated string, or remove the line${key === 'tools' ? ' to inherit every tool' : ''}.`);
    } else {
      out.add('syntax/tools-string', field.line, `\`${key}\` must be a comma-separated string of tool names (e.g. \`${key}: Read, Grep, Glob\`).`, { severity: 'error' });
    }
  }
}

/** True when the body has nothing but whitespace and HTML comments (the tracking comment alone is no prompt). */
function isBlank(body: string): boolean {
  const t = body.trim();
  return t === '' || (t.startsWith('<!--') && t.replace(HTML_COMMENT, '').trim() === '');
}

/** Gate 1: the file is something Claude Code can load, in the form it expects. */
export function checkSyntax(file: ParsedAgentFile, context: ValidationContext = {}): GateResult {
  const out = new GateFindings('syntax');
  const fm = file.frontmatter;
  if (file.hasBom) out.add('syntax/no-bom', 1, 'The file starts with a byte-order mark (BOM); save it as UTF-8 without BOM.');
  if (file.lineEndingProblem) {
    const { line, kind } = file.lineEndingProblem;
    // Claude Code reads CRLF files; a lone CR is no line break to it, so the frontmatter is not found.
    const loadFailure = kind === 'CR';
    out.add('syntax/lf-line-endings', line, loadFailure
      ? `Line ${line} ends with a lone CR, which Claude Code does not read as a line break (the agent loads with no metadata); convert the file to LF line endings (e.g. \`dos2unix -c mac\`).`
      : `Line ${line} ends with CRLF; Claude Code reads it, but convert the file to LF line endings (e.g. \`dos2unix\` or your editor's line-ending setting) to keep diffs and tools clean.`,
    loadFailure ? { severity: 'error' } : {});
  }
  if (fm.status === 'missing') {
    out.add('syntax/frontmatter-missing', 1, 'No YAML frontmatter: start the file with a `---` line, then `name:` and `description:`, then a closing `---` line.');
    return out.result();
  }
  if (fm.status === 'misplaced') {
    out.add('syntax/frontmatter-not-on-line-1', fm.startLine, `The frontmatter starts on line ${fm.startLine}; delete the lines above it so \`---\` is line 1, or Claude Code loads no metadata.`);
  }
  if (fm.status === 'unclosed') {
    out.add('syntax/frontmatter-unclosed', fm.startLine, 'The frontmatter has no closing `---` line; add one after the last field.');
    return out.result();
  }
  if (fm.yamlErrors.length > 0) {
    yamlFindings(file, out);
  } else if (fm.notMapping) {
    out.add('syntax/frontmatter-mapping', fm.startLine + 1, 'The frontmatter must be `key: value` lines (a YAML mapping), not a list or plain text.');
  } else {
    nameFindings(file, out);
    descriptionFindings(file, out);
    toolsFieldFindings(file, out);
    for (const [key, field] of fm.fields) {
      if (KNOWN.has(key)) continue;
      const meant = FIELD_BY_SQUASHED.get(squash(key));
      out.add('syntax/unknown-field', field.line, meant
        ? `Unknown field \`${key}\`: rename it to \`${meant}\`.`
        : `Claude Code does not read the field \`${key}\`; remove it or check its spelling against the sub-agent docs.`);
    }
  }
  if (isBlank(file.body)) {
    // Claude Code loads an agent with an empty prompt, so on a foreign file this is a warning.
    out.add('syntax/body-missing', file.bodyLine, 'The body after the frontmatter is empty, so the agent runs with no system prompt; write it there (e.g. "You are …").', isFactoryDraft(context) ? { severity: 'error' } : {});
  }
  return out.result();
}
