import { AGENT_NAME_MAX } from './claude-code-facts.js';
import { textMemo } from './memo.js';
import type { Analysis } from './schemas/analysis.js';
import type { ToolPolicy } from './schemas/tools.js';
import { roleNounOf, uncounted, type Brief } from './brief.js';
import { ALIASES_BY_NAME } from './catalog/libraries.js';
import { DESCRIPTION_MAX_CHARS } from './validate/claude-code.js';

/*
 * The agent's name and description, from its brief (brief.ts) and analysis: a name of 2–4 hyphenated
 * words (technology, what it works on, its role) and a description of when to use it.
 */

/** Words a name never uses. */
const STOPWORDS = new Set(
  ('a an the and or of for to in on at by with from into onto over under about as is are be been being this that these those it its ' +
    'my our your their we i you they he she them us me can could should would will shall may might must not no nor so than then ' +
    'when where which who whom whose what why how all any each every some such only own same other more most very just also ' +
    'agent agents assistant helper bot subagent sub-agent claude code using use uses used via per like make makes making help helps ' +
    'need needs want wants please new etc based whether both either them there here do does done up down out off better good proper read-only readonly').split(' '),
);

/**
 * Roles named by the requirement's own verb where it says more than the capability's noun: a
 * "slack-thread-summarizer" rather than an analyst, a "ui-string-translator" rather than a builder.
 * Verbs whose capability already names the role (review → reviewer, test → tester) are not here.
 */
const VERB_ROLES: Readonly<Record<string, string>> = {
  translate: 'translator',
  summarize: 'summarizer',
  summarise: 'summarizer',
  triage: 'triager',
  classify: 'classifier',
  label: 'labeler',
  moderate: 'moderator',
  forecast: 'forecaster',
  estimate: 'estimator',
  profile: 'profiler',
  scan: 'scanner',
  lint: 'linter',
  format: 'formatter',
  extract: 'extractor',
  convert: 'converter',
  explain: 'explainer',
  answer: 'responder',
  draft: 'drafter',
  design: 'designer',
  plan: 'planner',
  benchmark: 'benchmarker',
  suggest: 'advisor',
  recommend: 'advisor',
  propose: 'advisor',
  proofread: 'proofreader',
  prioritize: 'prioritizer',
  localize: 'localizer',
  maintain: 'maintainer',
  clean: 'cleaner',
  delete: 'cleaner',
  prune: 'cleaner',
  purge: 'cleaner',
  rotate: 'rotator',
  publish: 'publisher',
  visualize: 'visualizer',
};

/**
 * The role the requirement names itself (`brief`): its verb's where that says more than the
 * capability's noun, or the role noun it is phrased as; else undefined.
 */
export function verbRole(b: Brief): string | undefined {
  if (!b.isAction) return roleNounOf(b.phrase);
  const [verb = '', next = ''] = b.phrase.split(' ', 2);
  // "Plan and coordinate X": two verbs, and the capabilities say the role better than the first alone.
  return /^(?:and|or|&)$/i.test(next) || !Object.hasOwn(VERB_ROLES, verb.toLowerCase()) ? undefined : VERB_ROLES[verb.toLowerCase()];
}

/** Lowercase ASCII slug of a word or phrase ("Next.js" → "nextjs", "Café" → "cafe"); memoized, as every agent slugs the same framework names and common words again. */
export const slug: (text: string) => string = textMemo(10_000, makeSlug);

function makeSlug(text: string): string {
  return text
    // "C++" is cpp; any other "+" is said: "N+1" → n-plus-1.
    .replace(/c\+\+/gi, 'cpp')
    .replace(/\+/g, ' plus ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\.(?=[a-z])/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Plural abbreviations: "PRs", "MRs", "VMs" (not "ops", "dns", "aws"). */
const PLURAL_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([['prs', 'pr'], ['mrs', 'mr'], ['vms', 'vm'], ['ids', 'id'], ['crs', 'cr']]);

function singular(word: string): string {
  const abbreviation = PLURAL_ABBREVIATIONS.get(word);
  if (abbreviation) return abbreviation;
  if (/ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y';
  // "indexes", "patches", "classes".
  if (/(?:x|ch|sh|ss)es$/.test(word) && word.length > 4) return word.slice(0, -2);
  // Not "momentjs", "redis", "status".
  if (/[^s]s$/.test(word) && word.length > 3 && !/(us|is|ss|js)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * The catalog's other names of each technology that are synonyms ("swagger" of OpenAPI), so a name
 * says the technology once; not what it contains ("dockerfile", "helm chart": things of it, which a
 * name may be about) nor short forms that name a part ("s3" of AWS).
 */
const SYNONYMS: ReadonlyMap<string, readonly string[]> = new Map(
  [...ALIASES_BY_NAME].map(([name, aliases]) => [name, aliases.map((a) => slug(a)).filter((a) => (a.length >= 4 || a === 'k8s') && !a.includes(slug(name)))]),
);
const synonyms = (name: string): readonly string[] => SYNONYMS.get(name) ?? [];

/** Whether `word` is one of the technologies' names or a short form of one ("postgres" of "postgresql"). */
function namesTechnology(techWords: ReadonlySet<string>, word: string): boolean {
  if (techWords.has(word)) return true;
  // Most of the name ("postgres" of "postgresql", "mongo" of "mongodb"), not a word it starts with ("type" of "typescript").
  for (const t of techWords) if (word.length >= 4 && t.startsWith(word) && word.length >= 0.6 * t.length) return true;
  return false;
}

/** Words that end the subject's first noun phrase, for a name: prepositions, and a verb after it ("cold starts | are slow"). */
const NAME_CHUNK_END = /\s+(?:for|of|in|from|to|with|on|at|by|into|across|about|that|which|against|between|within|without|via|using|under|over|is|are|was|were|has|have|as an?|but|(?:older|newer|larger|smaller|longer|shorter|more|less) than)\s+/i;

/** Head nouns that say which part of something, not what: the phrase after them names it. */
const PARTITIVE = /^(?:parts?|pieces?|areas?|portions?|corners?|aspects?|bits?|questions?)$/;

/** What a thing has rather than what it is: "accessibility of our email templates" names an email-template-accessibility agent. */
const ASPECT = /^(?:accessibility|performance|security|readability|quality|structure|size|usage|coverage|effort|cost|latency|complexity|consistency|correctness)$/;

/** A participle after the noun it describes ("secrets | committed to history"); not "speed", "seed", "embed". */
const AFTER_NOUN_PARTICIPLE = /^(?!(?:speed|seed|embed|feed|need|breed)$)[a-z]{4,}ed$/;

/** The nouns of a phrase a name can use. */
function nameNouns(phrase: string, techWords: ReadonlySet<string>, roleWords: ReadonlySet<string>): string[] {
  const words = phrase.split(/\s+/);
  const participle = words.findIndex((w, i) => i > 0 && AFTER_NOUN_PARTICIPLE.test(w.toLowerCase()) && !STOPWORDS.has((words[i - 1] ?? '').toLowerCase()));
  return (
    (participle === -1 ? phrase : words.slice(0, participle).join(' '))
      // "dead code" is one thing, though "code" alone says nothing in a name.
      .replace(/\b(dead|legacy|unused|duplicated?|boilerplate) code\b/gi, '$1-code')
      .split(/\s+/)
      // "Terraform + AWS", "parsing & alerting": a sign alone joins, it names nothing.
      .filter((w) => /[\p{L}\p{N}]/u.test(w))
      // "callback-based code" is callback code.
      .map((w) => slug(w.replace(/['’]s$/i, '').replace(/-(?:based|driven|heavy|style|like)$/i, '')))
      .filter((w) => /[a-z]/.test(w) && w.length > 1 && !STOPWORDS.has(w) && !namesTechnology(techWords, w) && !roleWords.has(w))
  );
}

/**
 * The agent's name: 2–4 hyphenated words, technology first, then what it works on, then its role
 * ("terraform-plan-reviewer"). Always matches Claude Code's name rule.
 */
export function agentName(analysis: Analysis, subject: string, roleNoun: string, roleWords?: string): string {
  let tech = analysis.frameworks[0] ? slug(analysis.frameworks[0].name) : '';
  const techWords = new Set(analysis.frameworks.flatMap((f) => [slug(f.name), ...slug(f.name).split('-'), ...synonyms(f.name)]));
  const roleNouns = new Set(roleNoun.split('-'));
  // The head noun of the subject's first noun phrase ("Terraform plans for …" → "plan"); "why our Lambda
  // cold starts are slow" is about its cold starts.
  const phrases = subject.replace(/^(?:why|how|whether|what|when|where|that|if)\s+/i, '').split(NAME_CHUNK_END);
  // A role phrased by the requirement names the agent by its own words ("Read-only security auditor" → security-auditor).
  const fromRole = roleWords ? nameNouns(roleWords, techWords, roleNouns) : [];
  let nouns = fromRole.length > 0 ? fromRole : nameNouns(phrases[0] ?? subject, techWords, roleNouns);
  // "Terraform for an S3 bucket": when the first phrase is only the technology, the next one says what it
  // is for; "unfamiliar parts of the codebase", "questions about our style guide" are about the codebase, the guide.
  const head = nouns[nouns.length - 1] ?? '';
  const partitive = PARTITIVE.test(head);
  if (fromRole.length === 0 && (nouns.length === 0 || partitive || ASPECT.test(head)) && phrases.length > 1) {
    const next = nameNouns(phrases[1] ?? '', techWords, roleNouns);
    if (ASPECT.test(head)) nouns = [...next.map((w, i) => (i === next.length - 1 ? singular(w) : w)), ...nouns];
    else if (next.length > 0 || !partitive) nouns = next;
  }
  // "Dockerfile" says "Docker" already: the longer word stays, the technology goes.
  if (tech && nouns.some((w) => w.length > tech.length && w.startsWith(tech))) tech = '';
  // "pytest-test-tester" says nothing "pytest-tester" does not: drop an object with the role's stem.
  const stem = roleNoun.slice(0, 4);
  const room = Math.max(1, 3 - tech.split('-').filter(Boolean).length);
  // Nor "doc-documenter": a word the role's noun starts with says the role again.
  const object = nouns.slice(-room).map((w, i, all) => (i === all.length - 1 ? singular(w) : w)).filter((w) => !w.startsWith(stem) && !(w.length >= 3 && roleNoun.startsWith(w)));
  const parts = [tech, ...object, roleNoun].filter((p) => p.length > 0);
  // "code review" as a whole requirement: the domain's words the role says again go ("code-reviewer", not "code-review-reviewer").
  if (parts.length < 2) parts.unshift(slug(analysis.domains.primary.name).split('-').filter((w) => !roleNoun.startsWith(w)).join('-') || 'general');
  let name = slug(parts.join('-'));
  while (name.length > AGENT_NAME_MAX) name = name.slice(0, name.lastIndexOf('-'));
  return name || 'general-agent';
}

/** "an" before a vowel sound: "an Angular", but "a Unity", "a user". */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) && !/^(?:uni|use|usa|uti|eu|one)/i.test(word) ? 'an' : 'a';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[,;:\s]+$/, '');
}

const WHEN = 'Use proactively when you need ';
/** The task's share of a description, so it reads as a trigger rather than a summary. */
const TASK_MAX = 170;

/**
 * The description Claude Code shows the main agent: when to use it, then its reach, under 300
 * characters (it is always in context).
 */
export function agentDescription(b: Brief, policy: ToolPolicy, analysis: Analysis): string {
  const edits = policy.tools.includes('Edit') || policy.tools.includes('Write');
  const runs = policy.tools.includes('Bash');
  // With Bash it is not read-only (a command can change anything): it says what it does instead.
  const reach = !edits
    ? runs
      ? 'It never edits files; it runs commands and reports the results.'
      : 'Read-only, it reports findings and never edits files.'
    : runs
      ? 'It edits files and verifies its changes by running checks.'
      : 'It edits files; the caller runs any commands.';
  const approval = analysis.constraints.some((c) => c.kind === 'requires-approval') ? ' Asks for approval before irreversible steps.' : '';
  // The task gets what the limit leaves: the reach and the approval note are never cut.
  const room = Math.min(TASK_MAX, DESCRIPTION_MAX_CHARS - WHEN.length - '. '.length - reach.length - approval.length);
  const task = truncateWords(b.isAction ? `to ${b.phrase}` : b.isTask && uncounted(b.phrase) ? b.phrase : `${article(b.phrase)} ${b.phrase}`, room);
  return capitalize(`${WHEN}${task}. ${reach}${approval}`).replace(/\s+/g, ' ');
}
