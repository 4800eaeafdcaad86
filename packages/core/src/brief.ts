import { ALIASES_BY_NAME } from './catalog/libraries.js';
import type { Analysis } from './schemas/analysis.js';
import { framingLength } from './requirement-framing.js';
import { sentences, withoutInstructions } from './requirement-safety.js';
import { quotePlaceholders } from './validate/placeholders.js';
import { hasUnusualSpace } from './whitespace.js';

/*
 * Reading a requirement's task for the agent file's prose and name: the task phrase (an action or a
 * role), what it works on (its subject) and what it looks for. Plain English heuristics, no I/O.
 */

/** What the requirement asks for: an action (verb + object) or a noun phrase, and its subject. */
export interface Brief {
  /** The task phrase: "review Terraform plans for public S3 buckets" or "a code reviewer for React". */
  phrase: string;
  /** True when phrase starts with a base-form verb. */
  isAction: boolean;
  /** What the agent works on: "Terraform plans" (what it looks for there is its focus). */
  subject: string;
  /** What it looks for, when the requirement says: "public S3 buckets", "overly broad IAM policies". */
  focus: string[];
  /** The requirement asks for tests of the subject ("Write unit tests for X"): writing them is the whole task. */
  testsOf?: boolean;
  /** A noun phrase that names the work, not a role: "SQL optimization", "docs for our API". */
  isTask?: boolean;
  /** The role's own words when the requirement names one and says its task in a clause: "Read-only security auditor". */
  role?: string;
}

/** Role nouns a requirement may name its agent by ("terraform drift detector", "a Go concurrency expert"). */
const ROLE_NOUNS = new Set(
  ('reviewer auditor checker detector optimizer advisor expert specialist documenter tester debugger analyst analyzer ' +
    'linter formatter translator summarizer converter migrator designer architect planner monitor validator scanner programmer ' +
    'consultant coach mentor tutor reporter triager labeler classifier estimator profiler benchmarker refactorer explainer commander ' +
    'orchestrator coordinator maintainer watcher fixer researcher proofreader troubleshooter').split(' '),
);
/** Heads that name a role without saying which (a "test generator" is a tester): a role, but not the name's. */
const GENERIC_ROLES = new Set('engineer developer writer generator builder creator assistant helper bot agent guru'.split(' '));

/** The names of work a task phrase may end with, and the role that does it ("k8s troubleshooting" → troubleshooter). */
const TASK_NOUN_ROLES: ReadonlyMap<string, string> = new Map([
  ['review', 'reviewer'], ['reviews', 'reviewer'], ['audit', 'auditor'], ['optimization', 'optimizer'], ['troubleshooting', 'troubleshooter'],
  ['migration', 'migrator'], ['analysis', 'analyst'], ['testing', 'tester'], ['documentation', 'documenter'], ['monitoring', 'monitor'],
  ['refactoring', 'refactorer'], ['debugging', 'debugger'], ['translation', 'translator'], ['conversion', 'converter'], ['profiling', 'profiler'],
  ['benchmarking', 'benchmarker'], ['linting', 'linter'], ['triage', 'triager'], ['validation', 'validator'], ['modeling', 'modeler'],
]);

/** Where a role's head ends: before what qualifies it ("cost optimization advisor | for …", "a bot | to …"). */
const ROLE_HEAD_END = /\s+(?:for|that|who|which|to|in|of|with|on|at|from)\s+|\s*\(/i;
/** Where the work's head ends ("to" joins its words: "CSV to Parquet conversion scripts"). */
const WORK_HEAD_END = /\s+(?:for|that|which|in|of|with|on|at|from)\s+|\s*\(/i;

/** The last word of a noun phrase's head, in lower case. */
function headNoun(phrase: string, end = ROLE_HEAD_END): string {
  const head = phrase.split(end, 1)[0] ?? '';
  return head.split(/\s+/).pop()?.toLowerCase() ?? '';
}

/**
 * Whether the work a task phrase names takes no article: a plural, a gerund or an abstract noun
 * ("docs for our API", "rate limiting", "SQL optimization"; but "a code review").
 */
export function uncounted(phrase: string): boolean {
  return /(?:[^su]s|ing|tion|sion|ment|ance|ence|ity|ysis)$/.test(headNoun(phrase, WORK_HEAD_END));
}

/**
 * The role a noun phrase names: its head when that is a role ("terraform drift detector"), or the
 * role that does the work it names ("SQL optimization" → optimizer); else undefined.
 */
export function roleNounOf(phrase: string): string | undefined {
  const head = headNoun(phrase);
  if (ROLE_NOUNS.has(head)) return head;
  return TASK_NOUN_ROLES.get(head);
}

/** What a task phrase works on: "SQL optimization" optimizes SQL, "code review" reviews code. */
function workedOn(b: Omit<Brief, 'focus'>): string {
  const words = b.subject.split(/\s+/);
  const last = words[words.length - 1]?.toLowerCase() ?? '';
  return words.length > 1 && TASK_NOUN_ROLES.has(last) ? words.slice(0, -1).join(' ') : b.subject;
}

/** Whether a noun phrase names a role (a person or a tool that does something) rather than the work. */
function namesRole(phrase: string): boolean {
  const head = headNoun(phrase);
  return ROLE_NOUNS.has(head) || GENERIC_ROLES.has(head) || PERSONA.test(phrase);
}

/** Third-person verb to base form: "reviews" → "review", "analyzes" → "analyze", "fixes" → "fix". */
export function baseVerb(word: string): string {
  const w = word.toLowerCase();
  if (/[^aeiou]ies$/.test(w)) return w.slice(0, -3) + 'y';
  if (/(ss|sh|ch|x|z|o|cus)es$/.test(w)) return w.slice(0, -2);
  if (/[^s]s$/.test(w) && w.length > 3) return w.slice(0, -1);
  return w;
}

export const ACTION_VERBS = new Set(
  ('create build generate write scaffold review audit inspect analyze analyse assess evaluate optimize tune improve speed integrate ' +
    'connect sync monitor watch track alert validate check verify lint research investigate find look migrate upgrade port convert ' +
    'test document explain summarize orchestrate coordinate manage plan debug fix troubleshoot diagnose deploy release ship secure harden ' +
    'refactor clean restructure design implement maintain keep set summarise triage label classify answer translate format detect flag enforce run ' +
    'automate handle process extract transform load report draft prepare compare profile measure scan moderate estimate forecast ' +
    'add remove rename replace update configure bump spot understand turn deduplicate dedupe normalize sanitize ' +
    'suggest propose recommend identify prioritize benchmark shrink parallelize rewrite simplify reproduce provision proofread ' +
    'localize visualize decide determine ensure confirm teach onboard make tell show focus spot-check double-check cross-check ' +
    'block prevent reject reduce cut trim limit increase read apply delete rotate backfill publish merge approve open close post ' +
    'send notify restart revert install upload archive purge prune schedule renew').split(' '),
);

/**
 * Verbs whose "that" or "which" starts what they say, not a relative clause: "check that the spec
 * matches the routes", "suggest which tests to parallelize" keep their clause.
 */
const COMPLEMENT_VERB = String.raw`(?:check|verify|verifies|ensure|ensures|confirm|confirms|make sure|makes sure|suggest|suggests|decide|decides|determine|determines|explain|explains|prove|proves|assert|asserts|recommend|recommends|propose|proposes|predict|predicts|guarantee|guarantees|show|shows|tell|tells|identify|identifies|find out|finds out|figure out|figures out|choose|chooses|pick|picks)`;
const CLAUSE_BOUNDARY = new RegExp(String.raw`\s*(?:,|;|:|\(|\s—\s|\s-\s|\b(?:that|which)\b(?<!\b${COMPLEMENT_VERB}\s+(?:that|which))|\bso that\b|\bwhile\b|\band then\b)\s*`, 'i');
/** The same without relative clauses: a task keeps what narrows it ("review Python code that handles uploads"). */
const TASK_BOUNDARY = /\s*(?:,|;|:|\(|\s—\s|\s-\s|\bso that\b|\bwhile\b|\band then\b)\s*/i;
/** A complement clause's opening word ("that our spec matches …"). */
const COMPLEMENTIZER = /^(?:that|which|whether|if|why|what)\s+/i;
/** Where the noun phrase of a complement clause ends: its verb ("our OpenAPI spec | matches the routes"). */
const CLAUSE_VERB = /^(?:is|are|was|were|has|have|do|does|did|can|could|will|would|should|must|may|might|don't|doesn't|never|always|still|matches|match|contains?|follows?|uses?|meets?|stays?|pass(?:es)?|fails?|works?|compl(?:y|ies)|conforms?|agrees?|covers?|includes?|returns?|handles?|exists?|lacks?|needs?|breaks?|runs?|leaks?|keeps?|gets?|takes?|calls?|depends?|requires?|allows?|exposes?|violates?|differs?|affects?|changes?|re-?renders?|renders?|becomes?|goes|to)$/i;

/** A verb right after "what": "what makes them slow", "what changed". */
const WHAT_VERB = /^(?:is|are|was|were|makes?|made|causes?|caused|happens?|happened|changed?|changes|broke|breaks?|slows?|fails?|failed|matters?|runs?|goes|went|needs?|uses?|calls?|[a-z]+ed)$/i;

/**
 * The first `max` words of a text, joined by single spaces: `text.split(/\s+/).slice(0, max).join(' ')`,
 * which is the text itself when its words are single-spaced and no more than `max`, as most are.
 */
function firstWords(text: string, max: number): string {
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1 && words <= max; i = text.indexOf(' ', i + 1)) words++;
  return words <= max && !hasUnusualSpace(text) ? text : text.split(/\s+/).slice(0, max).join(' ');
}

/** Cuts a phrase at the first clause boundary (relative clauses included unless told), to at most `maxWords` words. */
function clause(text: string, maxWords: number, boundary = CLAUSE_BOUNDARY): string {
  // A comma right after one or two adjectives ("concise, conventional commit messages") is no clause boundary.
  // Only the first piece is kept: a limit of 1 stops the split at the first boundary.
  const cut = text.replace(/^(\S+),\s(?=\S+\s)/, '$1 ').split(boundary, 1)[0] ?? text;
  return firstWords(cut, maxWords).replace(/[.!?]+$/, '');
}

const SUBJECT_BREAK = /^(?:and|or|but|before|after|with|across|using|so|to|into|without|every|each|when|in|on|from|at|within|by)$/i;
/** Words that can join a subject's own parts ("Spring Boot and Next.js pipelines", "code in Go"): they break it only after three words. */
const LINKING = /^(?:and|or|with|in|on|from|at|to|into|across|within)$/i;

const SUBJECT_WORDS = 10;
/** A preposition that starts a phrase the subject can end before ("… configuration | for a public web application"). */
const PHRASE_START = /^(?:for|of|in|on|at|from|to|with|by|into|across|about|between|under|over|within|following|including)$/i;

/**
 * Whether the subject ends before word `i`: a break word once the subject has two words (three for
 * a joining word), or "and"/"or" before a second task's verb ("Markdown docs | and fix broken links").
 */
function endsSubject(words: readonly string[], i: number): boolean {
  const w = words[i] ?? '';
  // "stories for every React component": a quantifier after a preposition is part of the phrase.
  if (/^(?:every|each)$/i.test(w) && PHRASE_START.test(words[i - 1] ?? '')) return false;
  if (i >= (LINKING.test(w) ? 3 : 2) && SUBJECT_BREAK.test(w)) return true;
  // "playbooks | to provision Redis", "dependencies | up to date": a purpose or a state is no part of the thing.
  if (i >= 1 && /^to$/i.test(w) && ACTION_VERBS.has((words[i + 1] ?? '').toLowerCase())) return true;
  // "our CI | from Jenkins to GitHub Actions": where a migration starts and ends is no part of what moves.
  if (i >= 1 && /^from$/i.test(w) && words.slice(i + 2, i + 6).some((x) => /^to$/i.test(x))) return true;
  // "the repo | this week": when is no part of what.
  if (i >= 1 && /^(?:this|last|next)$/i.test(w) && /^(?:week|month|sprint|quarter|year|day|release)\b/i.test(words[i + 1] ?? '')) return true;
  if (i >= 1 && /^up$/i.test(w) && /^to$/i.test(words[i + 1] ?? '') && /^date\b/i.test(words[i + 2] ?? '')) return true;
  if (i >= 2 && (/^(?:pinned|updated|green|consistent|aligned|synced|accurate|tidy)$/i.test(w) || (/^in$/i.test(w) && /^sync\b/i.test(words[i + 1] ?? '')))) return true;
  return i >= 1 && /^(?:and|or)$/i.test(w) && ACTION_VERBS.has(baseVerb(words[i + 1] ?? ''));
}

/**
 * The object of a task, short enough to repeat in prose: cut where it ends (endsSubject); when it
 * is still too long, before its last phrase rather than in the middle of it.
 */
function subjectOf(text: string): string {
  // "that our OpenAPI spec matches the routes": what is checked is the spec.
  if (COMPLEMENTIZER.test(text)) {
    let words = text.replace(COMPLEMENTIZER, '').split(/\s+/);
    // "what makes them slow", "what changed in the repo": "what" is the clause's subject; the thing follows its verb.
    if (/^what\s/i.test(text) && WHAT_VERB.test(words[0] ?? '')) words = words.slice(PHRASE_START.test(words[1] ?? '') ? 2 : 1);
    const verb = words.findIndex((w, i) => i > 0 && CLAUSE_VERB.test(w));
    return subjectOf(words.slice(0, verb === -1 ? undefined : verb).join(' '));
  }
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
  const read = readBrief(analysis);
  const b = read.isAction ? read : { ...read, phrase: nounPhrase(read.phrase, analysis), ...(namesRole(read.phrase) ? {} : { isTask: true, subject: workedOn(read) }) };
  // "for X" names what to look for only in agents that look for things; "tests for an Express app" does not.
  const looks = LOOKING_CAPABILITIES.has(analysis.capabilities[0] ?? 'analyze');
  const focus = looks ? b.focus : [];
  return { ...b, phrase: quotePlaceholders(b.phrase), subject: quotePlaceholders(withoutFocus(b.subject, focus)), focus: focus.map(quotePlaceholders) };
}

/** "Helm charts for missing resource limits": what it looks for is its focus, not part of what it works on. */
function withoutFocus(subject: string, focus: readonly string[]): string {
  const at = focus[0] === undefined ? -1 : subject.toLowerCase().indexOf(` for ${focus[0].toLowerCase()}`);
  return at > 0 ? subject.slice(0, at) : subject;
}

/**
 * A role's noun phrase to follow "a" or "an": its own article gone, and its first word in lower case
 * unless it names a technology ("Read-only security auditor" → "read-only security auditor", "React
 * code reviewer" stays).
 */
function nounPhrase(phrase: string, analysis: Analysis): string {
  const noun = phrase.replace(/^(?:an?|the)\s+/i, '');
  const first = /^[A-Z][a-z]+(?:-[a-z]+)*(?=\s|$)/.exec(noun)?.[0];
  if (!first) return noun;
  const word = first.toLowerCase();
  const namesIt = (f: Analysis['frameworks'][number]): boolean =>
    f.name.toLowerCase().split(/[\s.]+/).includes(word) || (ALIASES_BY_NAME.get(f.name) ?? []).some((a) => a.split(' ').includes(word));
  const named = analysis.frameworks.some(namesIt) || analysis.integrations.some((i) => i.toLowerCase().startsWith(word));
  return named ? noun : first.toLowerCase() + noun.slice(first.length);
}

const LOOKING_CAPABILITIES = new Set(['review', 'validate', 'secure', 'analyze', 'monitor', 'debug', 'optimize']);
const FOCUS_CLAUSE = /\b(?:for|checks? for|checking for|looks? for|looking for|finds?|detects?|flags?|spots?|catch(?:es)?)\s+(.+)$/i;
const FOCUS_END = /\s+(?:before|after|when|while|in order|so that|without|across|using|from|in|on|with|within)\s.*$/i;

/** Verbs that are as often nouns in a list ("hooks usage, accessibility and test coverage"). */
const NOUN_LIKE = new Set('test review report check scan design plan format process label audit profile flag run build release deploy monitor update change search trace log alert merge post sync schedule estimate forecast document structure'.split(' '));

/** Whether words[i] starts a second task: a verb, and one that is often a noun only before a determiner ("test the parser"). */
function startsTask(words: readonly string[], i: number): boolean {
  const verb = baseVerb(words[i] ?? '');
  if (!ACTION_VERBS.has(verb)) return false;
  return !NOUN_LIKE.has(verb) || /^(?:the|a|an|our|their|its|any|all|each|every|them|it|this|these|those)$/i.test(words[i + 1] ?? '');
}

/** The things the requirement says to look for ("for typos and broken links" → two items). */
function focusOf(phrase: string): string[] {
  const clauseText = FOCUS_CLAUSE.exec(phrase)?.[1];
  if (!clauseText) return [];
  // "… problems and propose fixes for LCP": a second task ends the list of what to look for.
  const words = clauseText.split(/\s+/);
  const second = words.findIndex((w, i) => i > 0 && /^(?:and|or)$/i.test(w) && startsTask(words, i + 1));
  return (second === -1 ? clauseText : words.slice(0, second).join(' '))
    .replace(FOCUS_END, '')
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+/i)
    .map((item) => item.replace(/^(?:the|any|all|a|an)\s+/i, '').replace(/[.!?]+$/, '').trim())
    .filter((item) => item.split(/\s+/).length <= 6 && /\p{L}{3}/u.test(item))
    .slice(0, 4);
}

/** A task's words with the framing, the end mark and any adverb of manner gone. */
function taskText(sentence: string): string {
  // "Automatically label incoming issues": how often or how eagerly is no part of the task.
  // "Agent: reviews Kotlin code": punctuation the framing leaves goes too.
  return sentence.slice(framingLength(sentence)).replace(/[.!?]+$/, '').replace(/^[\s:,;–—-]+/, '').trim().replace(MANNER, '');
}

/**
 * "We have a Next.js app with slow pages. Find what makes them slow": the task is the first sentence
 * after the context that asks for an action, and a pronoun in it stands for what the context names.
 */
function afterContext(all: readonly string[], analysis: Analysis): Omit<Brief, 'focus'> & { sentence: string } | undefined {
  const context = all[0] ?? '';
  if (!CONTEXT.test(context)) return undefined;
  for (const sentence of all.slice(1, 3)) {
    const action = actionOf(taskText(sentence));
    if (!action) continue;
    const named = subjectOf(context.replace(CONTEXT_LEAD, '').replace(/[.!?]+$/, ''));
    if (!PRONOUN_SUBJECT.test(action.subject) || !named || CONTEXT.test(named)) return { ...action, subject: action.subject || fallbackSubject(analysis), sentence };
    return { ...action, phrase: action.phrase.replace(/\b(?:them|it)\b/i, named), subject: named, sentence };
  }
  return undefined;
}

/** A label before a colon, as in a commit subject ("perf:", "Security reviewer:", "#1 priority:"); group 2 is the rest. */
const LABEL = /^([^:]{2,60}?):\s+(.+)$/;

/**
 * A sentence that only says what the agent must not do or may only do ("An agent that reads files
 * only.", "It must never modify files."): the analysis reads it as a constraint; the task is elsewhere.
 */
const CONSTRAINT_LEAD = /^(?:(?:an?|the|this)\s+(?:agent|assistant|subagent)\s+(?:that|which|who)\s+|(?:it|this agent|the agent)\s+)?(?:(?:must|should|shall|will|may|can|does|is)(?:\s+not|n't)?\s+)?(?:never\s+\w+|not\s+\w+|reads?\s+(?:\w+\s+)?only|(?:be\s+)?read-?only)\b/i;

function constraintOnly(sentence: string): boolean {
  const lead = CONSTRAINT_LEAD.exec(sentence);
  return lead !== null && sentence.slice(lead[0].length).split(/\s+/).filter((w) => /\p{L}/u.test(w)).length <= 3;
}

/** The requirement's sentences, those that only constrain moved after the rest (when there is a rest). */
function taskFirst(all: readonly string[]): string[] {
  const tasks = all.filter((s) => !constraintOnly(s));
  return tasks.length === 0 ? [...all] : [...tasks, ...all.filter(constraintOnly)];
}

/** A sentence that sets the scene rather than asks: "We have …", "Our services …", "You are a senior engineer." */
const CONTEXT = /^(?:we|our|i|my|you are|you're|we're|i'm|there (?:is|are)|currently|right now)\b/i;
/** What leads the thing a context sentence names ("We have | a Next.js app"). */
const CONTEXT_LEAD = /^(?:(?:we|i)\s+(?:have|own|maintain|run|use|built|are building)\s+|there (?:is|are)\s+)/i;
/** A subject that only points back: "them", "it", "what makes them slow". */
const PRONOUN_SUBJECT = /^(?:them|it|this|these|those|what|that)\b|^$/i;

function readBrief(analysis: Analysis): Brief {
  const all = taskFirst(sentences(withoutInstructions(analysis.requirement).text));
  const later = afterContext(all, analysis);
  if (later) {
    const { sentence, ...action } = later;
    return { ...action, focus: focusOf(sentence) };
  }
  const first = all[0] ?? '';
  // "perf: reduce React bundle size", "security: scan for hardcoded secrets": a label before the task.
  const text = taskText(first);
  const [, before = '', label] = LABEL.exec(text) ?? [];
  // "Review our API: check auth" asks for the review; "Security reviewer: audit X" for the audit.
  const labelled = label && !actionOf(before) ? actionOf(label) : undefined;
  const stripped = labelled ? (label ?? text) : text;
  const action = labelled ?? actionOf(text);
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
    // The phrase keeps its clause ("a code reviewer for Rust that focuses on unsafe blocks"); "focuses on X" looks
    // for X, "scans X for Y" for Y.
    const looksFor = clauseText.split(/\s+/).slice(1).join(' ').replace(/^(?:on|upon)\s+/i, '');
    // What it works on: the role's "for" part, else its clause's object ("auditor that scans | FastAPI endpoints").
    const subject = forPart?.[1] ? subjectOf(forPart[1]) : clauseAction.subject || subjectOf(noun);
    return { phrase: clause(stripped, 24, TASK_BOUNDARY), isAction: false, subject, focus: focusOf(FOCUS_CLAUSE.test(looksFor) ? looksFor : `for ${looksFor}`), role: noun.replace(/\s+for\s+.*$/i, '') };
  }
  if (clauseAction) return { ...clauseAction, subject: clauseAction.subject || fallbackSubject(analysis), focus: focusOf(first) };
  // A few plain words ("Lighthouse score improvements") are a noun phrase even where too terse to tell the language.
  if (stripped.length > 0 && (analysis.language === 'en' || /^[\x20-\x7e]+$/.test(stripped) && stripped.split(/\s+/).length <= 5)) {
    // "Incident commander assistant for production outages": the words before "assistant" were the role.
    const role = ROLE_FRAMING.exec(first);
    const phrase = role?.[1] ? clause(first.slice(role[0].indexOf(role[1])).replace(/[.!?]+$/, ''), 20) : clause(stripped, 20);
    const forPart = /\bfor\s+(.+)$/i.exec(phrase);
    return { phrase, isAction: false, subject: subjectOf(forPart?.[1] ?? phrase), focus: focusOf(first) };
  }
  const subject = fallbackSubject(analysis);
  return { phrase: `work on ${subject}`, isAction: true, subject, focus: [] };
}

/** Framing whose words before "assistant", "bot" or "agent" name a role ("Incident commander assistant for …"); group 1 from those words on. */
const ROLE_FRAMING = /^(?:(?:an?|the)\s+)?((?:(?!(?:please|create|build|make|generate|write|design|give|need|want|me|us|an?|the|one|i|we)\b)[\w-]+\s+){1,2}(?:assistant|bot|agent|helper)\s+for)\s+/i;

/** An adverb of manner or frequency before the task's verb. */
const MANNER = /^(?:automatically|continuously|regularly|periodically|proactively|carefully|quickly|constantly|always)\s+/i;

/** A noun phrase that names a person, not a role: "an expert in …", "a senior engineer". */
const PERSONA = /^(?:an?\s+)?(?:[\w-]+\s+)?(?:expert|specialist|engineer|developer|consultant|guru|professional|wizard|ninja)\b/i;

/** "a security auditor that scans X" → "scans X". */
const RELATIVE_CLAUSE = /^(.{0,80}?)\s*\b(?:that|which|who)\s+(?:can\s+|will\s+|should\s+)?(.+)$/i;

const TEST_MAKING = new Set(['write', 'generate', 'create', 'add', 'build']);
const TESTS_OF = /^(?:(?:more|missing|new|unit|integration|e2e|end-to-end|regression|snapshot|property-based|smoke|[\w.-]+)\s+){0,2}tests?\s+(?:for|of|covering)\s+(?=\S)/i;

/** "migrating" → "migrate", "reviewing" → "review", "running" → "run", when that is an action verb. */
function gerundBase(word: string): string | undefined {
  const w = word.toLowerCase();
  if (!w.endsWith('ing') || w.length < 6) return undefined;
  const stem = w.slice(0, -3);
  return [stem, `${stem}e`, stem.slice(0, -1)].find((v) => ACTION_VERBS.has(v));
}

/** A third-person action verb in its base form ("spots" → "spot"); any other word as it is. */
function baseForm(word: string): string {
  const base = baseVerb(word);
  return base !== word.toLowerCase() && ACTION_VERBS.has(base) ? base : word;
}

/** Reads "reviews X", "Find and fix X", "Set up X" as a base-form verb phrase and its object. */
function actionOf(text: string): Omit<Brief, 'focus'> | undefined {
  const [head = '', ...rest] = text.split(/\s+/);
  const verb = gerundBase(head) ?? baseVerb(head);
  if (!ACTION_VERBS.has(verb) || rest.length === 0) return undefined;
  let object = rest.join(' ');
  // "Find and fix X", "Plan and coordinate X": the object follows the second verb.
  const second = /^(?:and|or|&)\s+(\S+)\s+(.*)$/i.exec(object);
  if (second?.[1] && second[2] && ACTION_VERBS.has(baseVerb(second[1]))) object = second[2];
  object = object
    .replace(/^(?:up|out|over|through|on|off)\s+/i, '')
    // "Make sure every function has a docstring", "Tell me which components re-render": what follows is a clause.
    .replace(/^sure\s+(?:that\s+)?/i, verb === 'make' ? 'that ' : '$&')
    // "Keep an eye on X" watches X.
    .replace(/^(?:an\s+eye|tabs)\s+on\s+/i, verb === 'keep' ? '' : '$&')
    .replace(/^(?:me|us)\s+(?=(?:which|what|why|whether|if|that)\s)/i, '');
  // "Write unit tests for X": the tests are the agent's work, X is what it works on.
  const tested = TEST_MAKING.has(verb) ? object.replace(TESTS_OF, '') : object;
  // "explains X and spots Y" becomes "explain X and spot Y": a verb joined to a third-person one is third-person too.
  const words = head.toLowerCase() === verb ? rest : rest.map((w, i) => (i + 1 < rest.length && /^(?:and|or)$/i.test(rest[i - 1] ?? '') ? baseForm(w) : w));
  const phrase = clause(`${verb} ${words.join(' ')}`, 24, TASK_BOUNDARY);
  return tested === object ? { phrase, isAction: true, subject: subjectOf(object) } : { phrase, isAction: true, subject: subjectOf(tested), testsOf: true };
}

function fallbackSubject(analysis: Analysis): string {
  const terms = analysis.keyTerms.slice(0, 3);
  if (terms.length > 0) return terms.join(', ');
  return analysis.frameworks[0]?.name ?? `${analysis.domains.primary.name.replace(/-/g, ' ')} tasks`;
}
