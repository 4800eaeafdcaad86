import { findTrackingComment } from '../agent-file.js';
import type { GateResult } from '../schemas/report.js';
import type { Tier } from '../schemas/requirement.js';
import { isFactoryDraft, type ValidationContext } from './context.js';
import { outline, type Outline } from './outline.js';
import type { ParsedAgentFile } from './parse.js';
import { PLACEHOLDER_ANY_CASE, PLACEHOLDER_CASED } from './placeholders.js';
import { GateFindings } from './scoring.js';
import { TIER_SECTIONS, tierSubsections } from './tier-sections.js';

/** Body length bounds in characters, per tier and for files of unknown tier. */
export const CONTENT_LENGTH_BOUNDS: Record<Tier | 'unknown', { min: number; max: number }> = {
  simple: { min: 800, max: 6_000 },
  standard: { min: 1_500, max: 9_000 },
  complex: { min: 2_500, max: 14_000 },
  unknown: { min: 200, max: 20_000 },
};

const INLINE_CODE = /`[^`\n]*`/g;
const SECOND_PERSON_START = /^[\s*_>]*you(?:['’]re|\b)/i;
const SECOND_PERSON_ANYWHERE = /\byou(?:['’]re| are| will| act| work| help| own)\b|\byour (?:role|job|task|mission|purpose)\b/i;
const TERM_SEPARATORS = /[\s_-]+/g;
const MAX_PLACEHOLDER_FINDINGS = 10;
/**
 * Literal text that every match of the placeholder patterns contains; the any-case markers fold case
 * as the any-case patterns do (`i` without `u`), so the body need not be lowercased to look for them.
 */
const CASED_MARKERS: readonly string[] = ['{{', 'TBD', 'TODO', 'FIXME'];
const ANY_CASE_MARKER = /<insert|\[placeholder|\[insert|\[your |lorem ipsum/i;
/** ASCII without capitals: text that lowercasing leaves as it is, wherever it stands. */
const LOWER_ASCII = /^[^A-Z\u0080-\uffff]*$/;

function normalizeTerm(s: string): string {
  return s.toLowerCase().replace(TERM_SEPARATORS, ' ');
}

/** The line's text outside inline code, which may legitimately show `{{ template }}` syntax. */
function prose(line: string): string {
  return line.includes('`') ? line.replace(INLINE_CODE, '') : line;
}

/** Whether the body may hold a placeholder: a literal search first, the patterns only when one is found. */
function mayHavePlaceholder(body: string): boolean {
  return (CASED_MARKERS.some((m) => body.includes(m)) && PLACEHOLDER_CASED.test(body))
    || (ANY_CASE_MARKER.test(body) && PLACEHOLDER_ANY_CASE.test(body));
}

function placeholderFindings(file: ParsedAgentFile, o: Outline, severity: 'error' | 'warning', out: GateFindings): void {
  // One pass over the whole body first: good files have no match, so the per-line scan is rare.
  if (!mayHavePlaceholder(file.body)) return;
  let found = 0;
  for (let i = 0; i < o.lines.length && found < MAX_PLACEHOLDER_FINDINGS; i++) {
    if (o.inCode[i]) continue;
    const text = prose(o.lines[i] ?? '');
    const m = PLACEHOLDER_CASED.exec(text) ?? PLACEHOLDER_ANY_CASE.exec(text);
    if (!m) continue;
    found++;
    out.add('content/no-placeholders', file.bodyLine + i, `Leftover placeholder "${m[0].trim()}": replace it with real content or delete it (code samples belong in backticks).`, { severity });
  }
}

function tierFindings(file: ParsedAgentFile, o: Outline, tier: Tier, out: GateFindings): void {
  const h2 = new Set(o.headings.filter((h) => h.level === 2).map((h) => h.text.toLowerCase()));
  const h3 = new Set(o.headings.filter((h) => h.level === 3).map((h) => h.text.toLowerCase()));
  for (const section of TIER_SECTIONS[tier]) {
    if (!h2.has(section.toLowerCase())) out.add('content/tier-sections', file.bodyLine, `A ${tier} agent needs a "## ${section}" section; add it.`);
  }
  for (const sub of tierSubsections(tier)) {
    if (!h3.has(sub.toLowerCase())) out.add('content/tier-sections', file.bodyLine, `A ${tier} agent needs a "### ${sub}" subsection; add it.`);
  }
}

function roleFindings(file: ParsedAgentFile, o: Outline, out: GateFindings): void {
  const first = o.blocks.find((b) => b.kind !== 'comment');
  if (!first) return; // an empty body is gate 1's finding
  if (SECOND_PERSON_START.test(first.text) || SECOND_PERSON_ANYWHERE.test(first.text.slice(0, 400))) return;
  out.add('content/second-person-role', first.line, 'Open the body with a second-person role statement, e.g. "You are a Terraform plan reviewer who …".');
}

function lengthFindings(file: ParsedAgentFile, tier: Tier | undefined, out: GateFindings): void {
  const comment = findTrackingComment(file.body);
  // The comment runs to the end of the body, so the text before it is the body without it.
  const length = (comment ? file.body.slice(0, comment.index) : file.body).trim().length;
  if (length === 0) return;
  const { min, max } = CONTENT_LENGTH_BOUNDS[tier ?? 'unknown'];
  const what = tier ? `a ${tier} agent` : 'an agent';
  if (length < min) out.add('content/length', file.bodyLine, `The body has ${length} characters; ${what} needs at least ${min}: expand the workflow, constraints and output format.`);
  else if (length > max) out.add('content/length', file.bodyLine, `The body has ${length} characters; ${what} should stay under ${max}: cut repetition and move reference material out.`);
}

function keyTermFindings(file: ParsedAgentFile, keyTerms: readonly string[], out: GateFindings): void {
  const terms = [...new Set(keyTerms.map((t) => t.trim()).filter((t) => t !== ''))];
  if (terms.length === 0) return;
  // The body in lower case, built only when a term is not in it as written (a lower-case ASCII term
  // found as written is in the lowercased body too): most drafts name every term as written.
  let lower: string | undefined;
  let loose: string | undefined; // "pull-request" vs "pull request": built only when a plain match fails
  const present = (term: string): boolean => {
    if (LOWER_ASCII.test(term) && file.body.includes(term)) return true;
    lower ??= file.body.toLowerCase();
    if (lower.includes(term.toLowerCase())) return true;
    loose ??= normalizeTerm(lower);
    return loose.includes(normalizeTerm(term));
  };
  const missing = terms.filter((t) => !present(t));
  const severity = missing.length * 2 > terms.length ? 'error' : 'warning';
  for (const term of missing) {
    out.add('content/key-terms', file.bodyLine, `The body never mentions "${term}" from the requirement; say how the agent handles it.`, { severity });
  }
}

/** Gate 2: the body says what a good system prompt says, for its tier when the tier is known. */
export function checkContent(file: ParsedAgentFile, context: ValidationContext = {}): GateResult {
  const out = new GateFindings('content');
  const o = outline(file);
  if (context.tier) tierFindings(file, o, context.tier, out);
  roleFindings(file, o, out);
  // A leftover placeholder sends the factory's draft back; in a foreign file it is a quality note.
  placeholderFindings(file, o, isFactoryDraft(context) ? 'error' : 'warning', out);
  lengthFindings(file, context.tier, out);
  if (context.keyTerms) keyTermFindings(file, context.keyTerms, out);
  return out.result();
}
