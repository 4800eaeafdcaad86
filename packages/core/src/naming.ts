import { AGENT_NAME_MAX } from './claude-code-facts.js';
import { textMemo } from './memo.js';
import type { Analysis } from './schemas/analysis.js';
import type { ToolPolicy } from './schemas/tools.js';
import { framingLength } from './requirement-framing.js';
import { sentences, withoutInstructions } from './requirement-safety.js';
import { quotePlaceholders } from './validate/placeholders.js';

/** What the requirement asks for: an action (verb + object) or a noun phrase, and its subject. */
export interface Brief {
  /** The task phrase: "review Terraform plans for public S3 buckets" or "a code reviewer for React". */
  phrase: string;
  /** True when phrase starts with a base-form verb. */
  isAction: boolean;
  /** What the agent works on: "Terraform plans for public S3 buckets". */
  subject: string;
  /** What it looks for, when the requirement says: "public S3 buckets", "overly broad IAM policies". */
  focus: string[];
  /** The requirement asks for tests of the subject ("Write unit tests for X"): writing them is the whole task. */
  testsOf?: boolean;
}


const STOPWORDS = new Set(
  ('a an the and or of for to in on at by with from into onto over under about as is are be been being this that these those it its ' +
    'my our your their we i you they he she them us me can could should would will shall may might must not no nor so than then ' +
    'when where which who whom whose what why how all any each every some such only own same other more most very just also ' +
    'agent agents assistant helper bot subagent sub-agent claude code using use uses used via per like make makes making help helps ' +
    'need needs want wants please new etc based whether both either them there here do does done up down out off').split(' '),
);

/** Third-person verb to base form: "reviews" → "review", "analyzes" → "analyze", "fixes" → "fix". */
export function baseVerb(word: string): string {
  const w = word.toLowerCase();
  if (/[^aeiou]ies$/.test(w)) return w.slice(0, -3) + 'y';
  if (/(ss|sh|ch|x|z|o)es$/.test(w)) return w.slice(0, -2);
  if (/[^s]s$/.test(w) && w.length > 3) return w.slice(0, -1);
  return w;
}

export const ACTION_VERBS = new Set(
  ('create build generate write scaffold review audit inspect analyze analyse assess evaluate optimize tune improve speed integrate ' +
    'connect sync monitor watch track alert validate check verify lint research investigate find look migrate upgrade port convert ' +
    'test document explain summarize orchestrate coordinate manage plan debug fix troubleshoot diagnose deploy release ship secure harden ' +
    'refactor clean restructure design implement maintain keep set summarise triage label classify answer translate format detect flag enforce run ' +
    'automate handle process extract transform load report draft prepare compare profile measure scan moderate estimate forecast ' +
    'add remove rename replace update configure bump spot understand turn deduplicate dedupe normalize sanitize').split(' '),
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
};

/** The role its verb names, for a requirement that asks for an action (`brief`); else undefined. */
export function verbRole(b: Brief): string | undefined {
  return b.isAction ? VERB_ROLES[b.phrase.split(' ', 1)[0]?.toLowerCase() ?? ''] : undefined;
}

/** Cuts a phrase at the first clause boundary, to at most `maxWords` words. */
function clause(text: string, maxWords: number): string {
  // A comma right after one or two adjectives ("concise, conventional commit messages") is no clause boundary.
  const cut = text.replace(/^(\S+),\s(?=\S+\s)/, '$1 ').split(/\s*(?:,|;|:|\(|\s—\s|\s-\s|\bthat\b|\bwhich\b|\bso that\b|\bwhile\b|\band then\b)\s*/i)[0] ?? text;
  return cut.split(/\s+/).slice(0, maxWords).join(' ').replace(/[.!?]+$/, '');
}

const SUBJECT_BREAK = /^(?:and|or|before|after|with|across|using|so|to|into|without|every|each|when|in|on|from|at|within|by)$/i;
/** Words that can join a subject's own parts ("Spring Boot and Next.js pipelines", "code in Go"): they break it only after three words. */
const LINKING = /^(?:and|or|with|in|on|from|at|to|into|across|within)$/i;

const SUBJECT_WORDS = 10;
/** A preposition that starts a phrase the subject can end before ("… configuration | for a public web application"). */
const PHRASE_START = /^(?:for|of|in|on|at|from|to|with|by|into|across|about|between|under|over|within)$/i;

/**
 * Whether the subject ends before word `i`: a break word once the subject has two words (three for
 * a joining word), or "and"/"or" before a second task's verb ("Markdown docs | and fix broken links").
 */
function endsSubject(words: readonly string[], i: number): boolean {
  const w = words[i] ?? '';
  if (i >= (LINKING.test(w) ? 3 : 2) && SUBJECT_BREAK.test(w)) return true;
  return i >= 1 && /^(?:and|or)$/i.test(w) && ACTION_VERBS.has(baseVerb(words[i + 1] ?? ''));
}

/**
 * The object of a task, short enough to repeat in prose: cut where it ends (endsSubject); when it
 * is still too long, before its last phrase rather than in the middle of it.
 */
function subjectOf(text: string): string {
  const words = clause(text, SUBJECT_WORDS + 1).split(/\s+/);
  const stop = words.findIndex((_, i) => endsSubject(words, i));
  if (stop !== -1 && stop <= SUBJECT_WORDS) return words.slice(0, stop).join(' ');
  if (words.length <= SUBJECT_WORDS) return words.join(' ');
  const kept = words.slice(0, SUBJECT_WORDS);
  const last = kept.findLastIndex((w, i) => i >= 3 && PHRASE_START.test(w));
  return (last === -1 ? kept : kept.slice(0, last)).join(' ');
}

/**
 * Reads what the requirement asks for; instructions aimed at the factory are ignored, and
 * placeholder-like tokens of the user's text are quoted as code.
 */
export function brief(analysis: Analysis): Brief {
  const b = readBrief(analysis);
  // "for X" names what to look for only in agents that look for things; "tests for an Express app" does not.
  const looks = LOOKING_CAPABILITIES.has(analysis.capabilities[0] ?? 'analyze');
  return { ...b, phrase: quotePlaceholders(b.phrase), subject: quotePlaceholders(b.subject), focus: looks ? b.focus.map(quotePlaceholders) : [] };
}

const LOOKING_CAPABILITIES = new Set(['review', 'validate', 'secure', 'analyze', 'monitor', 'debug', 'optimize']);
const FOCUS_CLAUSE = /\b(?:for|checks? for|checking for|looks? for|looking for|finds?|detects?|flags?|spots?|catch(?:es)?)\s+(.+)$/i;
const FOCUS_END = /\s+(?:before|after|when|while|in order|so that|without|across|using|from|in|on|with|within)\s.*$/i;

/** The things the requirement says to look for ("for typos and broken links" → two items). */
function focusOf(phrase: string): string[] {
  const clauseText = FOCUS_CLAUSE.exec(phrase)?.[1];
  if (!clauseText) return [];
  return clauseText
    .replace(FOCUS_END, '')
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+/i)
    .map((item) => item.replace(/^(?:the|any|all|a|an)\s+/i, '').replace(/[.!?]+$/, '').trim())
    .filter((item) => item.split(/\s+/).length <= 6 && /\p{L}{3}/u.test(item))
    .slice(0, 4);
}

function readBrief(analysis: Analysis): Brief {
  const first = sentences(withoutInstructions(analysis.requirement).text)[0] ?? '';
  const stripped = first.slice(framingLength(first)).replace(/[.!?]+$/, '').trim();
  const action = actionOf(stripped);
  if (action) return { ...action, subject: action.subject || fallbackSubject(analysis), focus: focusOf(first) };
  // "A code reviewer for React pull requests that checks hooks usage": the noun phrase names the
  // role, the relative clause says what it looks for.
  const relative = RELATIVE_CLAUSE.exec(stripped);
  const clauseAction = relative?.[2] ? actionOf(relative[2]) : undefined;
  const [, noun = '', clauseText = ''] = relative ?? [];
  // "An expert in Kubernetes networking who debugs service mesh issues": a persona says less than its task.
  if (clauseAction && PERSONA.test(noun)) return { ...clauseAction, subject: clauseAction.subject || fallbackSubject(analysis), focus: focusOf(first) };
  if (clauseAction && noun.split(/\s+/).length >= 2) {
    const forPart = /\bfor\s+(.+)$/i.exec(noun);
    return { phrase: noun.trim(), isAction: false, subject: subjectOf(forPart?.[1] ?? noun), focus: focusOf(`for ${clauseText.split(/\s+/).slice(1).join(' ')}`) };
  }
  if (clauseAction) return { ...clauseAction, subject: clauseAction.subject || fallbackSubject(analysis), focus: focusOf(first) };
  if (stripped.length > 0 && analysis.language === 'en') {
    const phrase = clause(stripped, 20);
    const forPart = /\bfor\s+(.+)$/i.exec(phrase);
    return { phrase, isAction: false, subject: subjectOf(forPart?.[1] ?? phrase), focus: focusOf(first) };
  }
  const subject = fallbackSubject(analysis);
  return { phrase: `work on ${subject}`, isAction: true, subject, focus: [] };
}

/** A noun phrase that names a person, not a role: "an expert in …", "a senior engineer". */
const PERSONA = /^(?:an?\s+)?(?:[\w-]+\s+)?(?:expert|specialist|engineer|developer|consultant|guru|professional|wizard|ninja)\b/i;

/** "a security auditor that scans X" → "scans X". */
const RELATIVE_CLAUSE = /^(.{0,80}?)\s*\b(?:that|which|who)\s+(?:can\s+|will\s+|should\s+)?(.+)$/i;

const TEST_MAKING = new Set(['write', 'generate', 'create', 'add', 'build']);
const TESTS_OF = /^(?:(?:more|missing|new|unit|integration|e2e|end-to-end|regression|snapshot|property-based|smoke|[\w.-]+)\s+){0,2}tests?\s+(?:for|of|covering)\s+(?=\S)/i;

/** A third-person action verb in its base form ("spots" → "spot"); any other word as it is. */
function baseForm(word: string): string {
  const base = baseVerb(word);
  return base !== word.toLowerCase() && ACTION_VERBS.has(base) ? base : word;
}

/** Reads "reviews X", "Find and fix X", "Set up X" as a base-form verb phrase and its object. */
function actionOf(text: string): Omit<Brief, 'focus'> | undefined {
  const [head = '', ...rest] = text.split(/\s+/);
  const verb = baseVerb(head);
  if (!ACTION_VERBS.has(verb) || rest.length === 0) return undefined;
  let object = rest.join(' ');
  // "Find and fix X", "Plan and coordinate X": the object follows the second verb.
  const second = /^(?:and|or|&)\s+(\S+)\s+(.*)$/i.exec(object);
  if (second?.[1] && second[2] && ACTION_VERBS.has(baseVerb(second[1]))) object = second[2];
  object = object.replace(/^(?:up|out|over|through|on|off)\s+/i, '');
  // "Write unit tests for X": the tests are the agent's work, X is what it works on.
  const tested = TEST_MAKING.has(verb) ? object.replace(TESTS_OF, '') : object;
  // "explains X and spots Y" becomes "explain X and spot Y": a verb joined to a third-person one is third-person too.
  const words = head.toLowerCase() === verb ? rest : rest.map((w, i) => (i + 1 < rest.length && /^(?:and|or)$/i.test(rest[i - 1] ?? '') ? baseForm(w) : w));
  const phrase = clause(`${verb} ${words.join(' ')}`, 24);
  return tested === object ? { phrase, isAction: true, subject: subjectOf(object) } : { phrase, isAction: true, subject: subjectOf(tested), testsOf: true };
}

function fallbackSubject(analysis: Analysis): string {
  const terms = analysis.keyTerms.slice(0, 3);
  if (terms.length > 0) return terms.join(', ');
  return analysis.frameworks[0]?.name ?? `${analysis.domains.primary.name.replace(/-/g, ' ')} tasks`;
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

function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return word.slice(0, -3) + 'y';
  // "indexes", "patches", "classes".
  if (/(?:x|ch|sh|ss)es$/.test(word) && word.length > 4) return word.slice(0, -2);
  // Not "momentjs", "redis", "status".
  if (/[^s]s$/.test(word) && word.length > 3 && !/(us|is|ss|js)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Whether `word` is one of the technologies' names or a short form of one ("postgres" of "postgresql"). */
function namesTechnology(techWords: ReadonlySet<string>, word: string): boolean {
  if (techWords.has(word)) return true;
  // Most of the name ("postgres" of "postgresql", "mongo" of "mongodb"), not a word it starts with ("type" of "typescript").
  for (const t of techWords) if (word.length >= 4 && t.startsWith(word) && word.length >= 0.6 * t.length) return true;
  return false;
}

/** Words that end the subject's first noun phrase, for a name: prepositions, and a verb after it ("cold starts | are slow"). */
const NAME_CHUNK_END = /\s+(?:for|of|in|from|to|with|on|at|by|into|across|about|that|which|against|between|within|without|via|using|under|over|is|are|was|were|has|have)\s+/i;

/** The nouns of a phrase a name can use. */
function nameNouns(phrase: string, techWords: ReadonlySet<string>, roleWords: ReadonlySet<string>): string[] {
  return (
    phrase
      // "dead code" is one thing, though "code" alone says nothing in a name.
      .replace(/\b(dead|legacy|unused|duplicated?|boilerplate) code\b/gi, '$1-code')
      .split(/\s+/)
      .map((w) => slug(w.replace(/['’]s$/i, '')))
      .filter((w) => /[a-z]/.test(w) && w.length > 1 && !STOPWORDS.has(w) && !namesTechnology(techWords, w) && !roleWords.has(w))
  );
}

/**
 * The agent's name: 2–4 hyphenated words, technology first, then what it works on, then its role
 * ("terraform-plan-reviewer"). Always matches Claude Code's name rule.
 */
export function agentName(analysis: Analysis, subject: string, roleNoun: string): string {
  let tech = analysis.frameworks[0] ? slug(analysis.frameworks[0].name) : '';
  const techWords = new Set(analysis.frameworks.flatMap((f) => [slug(f.name), ...slug(f.name).split('-')]));
  const roleWords = new Set(roleNoun.split('-'));
  // The head noun of the subject's first noun phrase ("Terraform plans for …" → "plan"); "why our Lambda
  // cold starts are slow" is about its cold starts.
  const phrases = subject.replace(/^(?:why|how|whether|what|when|where|that|if)\s+/i, '').split(NAME_CHUNK_END);
  let nouns = nameNouns(phrases[0] ?? subject, techWords, roleWords);
  // "Terraform for an S3 bucket": when the first phrase is only the technology, the next one says what it is for.
  if (nouns.length === 0 && phrases.length > 1) nouns = nameNouns(phrases[1] ?? '', techWords, roleWords);
  // "Dockerfile" says "Docker" already: the longer word stays, the technology goes.
  if (tech && nouns.some((w) => w.length > tech.length && w.startsWith(tech))) tech = '';
  // "pytest-test-tester" says nothing "pytest-tester" does not: drop an object with the role's stem.
  const stem = roleNoun.slice(0, 4);
  const room = Math.max(1, 3 - tech.split('-').filter(Boolean).length);
  const object = nouns.slice(-room).map((w, i, all) => (i === all.length - 1 ? singular(w) : w)).filter((w) => !w.startsWith(stem));
  const parts = [tech, ...object, roleNoun].filter((p) => p.length > 0);
  if (parts.length < 2) parts.unshift(slug(analysis.domains.primary.name) || 'general');
  let name = slug(parts.join('-'));
  while (name.length > AGENT_NAME_MAX) name = name.slice(0, name.lastIndexOf('-'));
  return name || 'general-agent';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[,;:\s]+$/, '');
}

/**
 * The description Claude Code shows the main agent: when to use it, then its reach, under 300
 * characters (it is always in context).
 */
export function agentDescription(b: Brief, policy: ToolPolicy, analysis: Analysis): string {
  const task = truncateWords(b.isAction ? `to ${b.phrase}` : b.phrase.replace(/^(?:an?|the)\s+/i, 'a '), 170);
  const when = `Use proactively when you need ${task}.`;
  const edits = policy.tools.includes('Edit') || policy.tools.includes('Write');
  const runs = policy.tools.includes('Bash');
  const reach = !edits
    ? 'Read-only, it reports findings and never edits files.'
    : runs
      ? 'It edits files and verifies its changes by running checks.'
      : 'It edits files; the caller runs any commands.';
  const approval = analysis.constraints.some((c) => c.kind === 'requires-approval') ? ' Asks for approval before irreversible steps.' : '';
  return capitalize(`${when} ${reach}${approval}`).replace(/\s+/g, ' ');
}
