import { LIBRARIES, matchLibraries, type LibraryEntry } from './catalog/libraries.js';
import type { LibraryMatch } from './ports/docs-source.js';
import type { Analysis } from './schemas/analysis.js';

/**
 * Names of libraries the catalog does not know, read from a requirement's wording, for research to
 * resolve through the docs source's resolve tool. Precision over recall: every name costs a resolve
 * call (once per name across the cluster) and, when it resolves, a docs call and a share of the budget.
 */

/** At most this many unknown names per requirement. */
export const MAX_UNKNOWN_LIBRARIES = 2;

/** A whole word, with the punctuation names carry (Solid.js, C#, Socket.IO) and the letters of other languages. */
const WORD = /[A-Za-z\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f]*(?:[.+#-][A-Za-z0-9\u00c0-\u024f]+)*/g;
/** Words that can be part of a name: a capital somewhere, or a `.js`-like suffix; ASCII only (Sicherheitslücken is no name). */
const MAYBE_NAME = /[A-Z]|\.(?:js|ts|py|rs|io|sh|net)$/;
const NOT_ASCII = /[\u00c0-\u024f]/;

/** Shapes only names have: an inner capital (SolidJS, tRPC, LangGraph) or a `.js`-like suffix (Alpine.js). */
const NAME_SHAPE = /[a-z][A-Z]|\.(?:js|ts|py|rs|io|sh|net)$/;
const CAPITALIZED = /^[A-Z][a-z0-9]+(?:[.-][A-Za-z0-9]+)*$/;
/** Upper-case words that continue a name ("Drizzle ORM") but never start one (API, AWS and other acronyms). */
const NAME_SUFFIXES = new Set(['ORM', 'SDK', 'CLI', 'UI', 'JS', 'API', 'DB', 'CMS', 'MQ']);

/** Words that are not libraries but often stand capitalized (or camel-cased) mid-sentence in requirements. */
const NOT_NAMES = new Set(
  ('Agent Agents Claude Anthropic English Markdown Readme Team Teams Production Staging Dev Prod Note Notes Top ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August ' +
    'September October November December Google Microsoft Apple Amazon Meta Facebook Netflix Linux Windows Unix Mac ' +
    'Internet Web Agile Scrum Kanban Excel Word Core Vitals Server Service Services App Apps Step Steps Level ' +
    'SaaS PaaS IaaS DevOps DevSecOps MLOps GitOps FinOps SecOps DataOps iOS macOS iPadOS iPhone iPad YouTube LinkedIn ' +
    'PowerPoint OAuth OpenID NoSQL PhD').split(' '),
);

/** Catalog entries by lowercase display name: "Express" or "Spark" capitalized mid-sentence is the library, though the catalog's aliases avoid the bare word. */
const BY_NAME: ReadonlyMap<string, LibraryEntry> = new Map(LIBRARIES.map((e) => [e.name.toLowerCase(), e]));

/** "Kafka-based", "React-style": the library is the part before the hyphen. */
const COMPOUND_TAIL = /-(?:based|driven|powered|backed|native|first|style|like|specific|related|compatible|friendly|only|enabled|aware|ready|heavy)$/i;

interface Word {
  /** The word, a compound's tail dropped ("Remix-based" is Remix). */
  text: string;
  index: number;
  /** Where the word ends in the text, tail included. */
  end: number;
  /** First word of a sentence, a list item or the text: capitals there say nothing. */
  sentenceStart: boolean;
}

/**
 * The words that can be part of a name, in order. Lower-case words are left out, so two of these one
 * space apart are neighbours in the text.
 */
function candidates(text: string): Word[] {
  const out: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    if (!MAYBE_NAME.test(m[0]) || NOT_ASCII.test(m[0])) continue;
    // The last non-space character before the word (a short scan: requirements run to 8,000 characters).
    let j = m.index - 1;
    while (j >= 0 && /\s/.test(text[j] ?? '')) j--;
    out.push({ text: m[0].replace(COMPOUND_TAIL, ''), index: m.index, end: m.index + m[0].length, sentenceStart: j < 0 || /[.!?:;(\[{"'*\-•]/.test(text[j] ?? '') });
  }
  return out;
}

/** Whether the catalog has this exact lowercase phrase as an alias (so analysis found it already). */
function isAlias(lower: string): boolean {
  return matchLibraries(lower).some((m) => m.index === 0 && m.text.length === lower.length);
}

/** A word that is not a name however it is written: a known non-name, or a compound on a catalog library ("Python-Code"). */
function neverName(w: Word): boolean {
  if (NOT_NAMES.has(w.text)) return true;
  const hyphen = w.text.indexOf('-');
  if (hyphen < 0) return false;
  const head = w.text.slice(0, hyphen).toLowerCase();
  return isAlias(head) || BY_NAME.has(head);
}

/** Whether a word can start a name: a name shape anywhere, or a capital mid-sentence. */
function startsName(w: Word): boolean {
  if (neverName(w)) return false;
  return NAME_SHAPE.test(w.text) || (!w.sentenceStart && CAPITALIZED.test(w.text));
}

/** Whether a word continues the name before it, with nothing but one space between them. */
function continuesName(text: string, prev: Word, w: Word): boolean {
  if (text.slice(prev.end, w.index) !== ' ' || neverName(w)) return false;
  return NAME_SHAPE.test(w.text) || NAME_SUFFIXES.has(w.text) || CAPITALIZED.test(w.text);
}

/** A library named in a requirement that analysis did not list. */
export interface NamedLibrary {
  name: string;
  /** The catalog's id when the name is a catalog entry's own name; otherwise the docs source resolves it. */
  libraryId?: string;
}

/**
 * The names a run of name-like words stands for: the whole run ("React Router", "Drizzle ORM"), or,
 * when each of its words is a catalog library ("Node.js Express"), those words one by one.
 */
function namesOf(run: readonly string[]): string[] {
  const core = [...run];
  // "GraphQL API" names GraphQL: a trailing API, SDK … is part of no library's own name here.
  while (core.length > 1 && NAME_SUFFIXES.has(core[core.length - 1] ?? '')) core.pop();
  const phrase = core.join(' ');
  const lower = phrase.toLowerCase();
  if (core.length > 1 && !isAlias(lower) && !BY_NAME.has(lower) && core.every((w) => isAlias(w.toLowerCase()) || BY_NAME.has(w.toLowerCase()))) return core;
  return [phrase];
}

/**
 * Libraries the requirement names that analysis did not list, in order of appearance, at most
 * MAX_UNKNOWN_LIBRARIES: runs of capitalized or name-shaped words ("Remix", "Drizzle ORM", "SolidJS"),
 * skipping sentence starts, catalog aliases, the analysis's frameworks and integrations. English only:
 * other languages capitalize nouns.
 */
export function unlistedLibraries(analysis: Pick<Analysis, 'requirement' | 'language' | 'frameworks' | 'integrations'>): NamedLibrary[] {
  if (analysis.language !== 'en') return [];
  const text = analysis.requirement;
  const listed = new Set([...analysis.frameworks.map((f) => f.name), ...analysis.integrations].map((n) => n.toLowerCase()));
  const listedIds = new Set(analysis.frameworks.map((f) => f.libraryId));
  const found: NamedLibrary[] = [];
  const list = candidates(text);
  for (let i = 0; i < list.length && found.length < MAX_UNKNOWN_LIBRARIES; i++) {
    const first = list[i];
    if (!first || !startsName(first)) continue;
    const run = [first];
    while (i + 1 < list.length && continuesName(text, run[run.length - 1] as Word, list[i + 1] as Word)) run.push(list[++i] as Word);
    for (const name of namesOf(run.map((w) => w.text))) {
      const lower = name.toLowerCase();
      if (listed.has(lower) || isAlias(lower) || found.length >= MAX_UNKNOWN_LIBRARIES) continue;
      listed.add(lower);
      const entry = BY_NAME.get(lower);
      if (entry && listedIds.has(entry.libraryId)) continue;
      found.push(entry ? { name: entry.name, libraryId: entry.libraryId } : { name });
    }
  }
  return found;
}

/** A name reduced to letters and digits, for comparing "Solid.js", "solidjs" and "Solid JS". */
const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');
/** What may follow a project's name in another spelling of it: SolidJS = Solid, Drizzle ORM = drizzle. */
const SPELLING_SUFFIX = /^(?:js|ts|py|rs|io|orm|sdk|lang|framework|lib|library|core|dev|hq)$/;

function sameName(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && SPELLING_SUFFIX.test(long.slice(short.length));
}

/**
 * The first match that is the named library itself, judged by its title or the org or project of its
 * id: resolve tools rank fuzzily ("React Router" finds React), and research must not read another
 * library's docs under this name.
 */
export function pickLibraryMatch(name: string, matches: readonly LibraryMatch[]): LibraryMatch | undefined {
  const wanted = squash(name);
  return matches.find((m) => {
    const [, org = '', project = ''] = m.libraryId.split('/');
    return /^\/[^/\s]+\/[^/\s]+/.test(m.libraryId) && [m.title, org, project].some((n) => sameName(squash(n), wanted));
  });
}
