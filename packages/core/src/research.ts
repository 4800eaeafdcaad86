import { pickLibraryMatch, unlistedLibraries } from './library-names.js';
import type { DocsSource, LibraryMatch } from './ports/docs-source.js';
import type { Analysis } from './schemas/analysis.js';
import type { Research } from './schemas/research.js';
import { compressResearch, DEFAULT_RESEARCH_BUDGET, type LibraryDocs } from './research-compress.js';
import { docsAnswerError, extractDocs, isNoDocsAnswer, type ExtractedDocs } from './research-extract.js';
import type { Capability } from './schemas/analysis.js';

export { MAX_UNKNOWN_LIBRARIES, pickLibraryMatch, unlistedLibraries, type NamedLibrary } from './library-names.js';

export interface ResearchOptions {
  /** Token budget of the compressed research handed to generation (default 1,500). */
  budgetTokens?: number;
  /** Libraries always researched after the requirement's own (e.g. the user's docs, "/local/docs"). */
  extraLibraries?: readonly ResearchTarget[];
}

export interface ResearchTarget {
  libraryId: string;
  name: string;
  /** Ask with the requirement itself rather than the shared topic (for the user's own docs, ranked by BM25). */
  queryByRequirement?: boolean;
}

/** At most this many libraries per requirement: each costs a docs call and a share of the budget. */
export const MAX_RESEARCH_LIBRARIES = 4;

/**
 * Practice-area docs for a requirement that names no library, by its primary domain (the names of
 * analyze's DOMAINS, plus a few spellings). The ids are those of the bundled knowledge base and,
 * where one exists, of the same project on Context7.
 */
export const DOMAIN_LIBRARIES: Readonly<Record<string, readonly ResearchTarget[]>> = (() => {
  const owasp = { libraryId: '/owasp/cheatsheetseries', name: 'OWASP Cheat Sheets' };
  const securityReview = { libraryId: '/owasp/www-project-code-review-guide', name: 'Security code review' };
  const wcag = { libraryId: '/w3c/wcag', name: 'WCAG' };
  const review = { libraryId: '/google/eng-practices', name: 'Code review' };
  const api = { libraryId: '/microsoft/api-guidelines', name: 'API design' };
  const writing = { libraryId: '/evildmp/diataxis-documentation-framework', name: 'Technical writing' };
  const incident = { libraryId: '/pagerduty/incident-response-docs', name: 'Incident response' };
  const dataQuality = { libraryId: '/great-expectations/great_expectations', name: 'Data quality' };
  return {
    security: [owasp, securityReview], appsec: [owasp, securityReview], 'security-review': [securityReview, owasp],
    accessibility: [wcag], a11y: [wcag],
    'code-review': [review], 'code-quality': [review],
    'api-design': [api], api: [api],
    documentation: [writing], 'technical-writing': [writing],
    'incident-response': [incident], sre: [incident], observability: [incident],
    'data-quality': [dataQuality], 'data-engineering': [dataQuality],
  };
})();

/**
 * The libraries research reads for an analysis: its frameworks in order, then the libraries named in
 * the requirement that the catalog did not know (`resolved`, ids from the source's resolve tool), else
 * its primary domain's docs; the extra ones (the user's docs) last.
 */
export function researchTargets(analysis: Analysis, extra: readonly ResearchTarget[] = [], resolved: readonly ResearchTarget[] = []): ResearchTarget[] {
  const seen = new Set<string>();
  const targets: ResearchTarget[] = [];
  const add = (t: ResearchTarget, limit: number): void => {
    if (targets.length < limit && !seen.has(t.libraryId)) {
      seen.add(t.libraryId);
      targets.push(t);
    }
  };
  const own = MAX_RESEARCH_LIBRARIES - Math.min(extra.length, MAX_RESEARCH_LIBRARIES);
  for (const f of analysis.frameworks) add({ libraryId: f.libraryId, name: f.name }, own);
  for (const t of resolved) add(t, own);
  if (targets.length === 0) {
    const domain = DOMAIN_LIBRARIES[analysis.domains.primary.name.trim().toLowerCase().replace(/[\s_]+/g, '-')];
    for (const t of domain ?? []) add(t, own);
  }
  for (const t of extra) add(t, MAX_RESEARCH_LIBRARIES);
  return targets;
}

// Extraction per answer text: sources memoize their answers, so the same string comes back for a pair.
const extracted = new Map<string, ExtractedDocs>();
function extractMemo(text: string): ExtractedDocs {
  let docs = extracted.get(text);
  if (!docs) {
    if (extracted.size >= 2048) extracted.clear();
    docs = extractDocs(text);
    extracted.set(text, docs);
  }
  return docs;
}

/** What to ask the docs about, by the agent's main capability: few distinct topics, so (library, topic) pairs repeat and cache. */
const TOPICS: Record<Capability, string> = {
  create: 'best practices and patterns', analyze: 'best practices and common pitfalls', review: 'best practices and common mistakes',
  optimize: 'performance optimization', integrate: 'integration, configuration and error handling', monitor: 'monitoring and observability',
  validate: 'validation and correctness checks', research: 'best practices and recent changes', migrate: 'migration and upgrade guide',
  test: 'testing', document: 'documentation and API reference', orchestrate: 'architecture and best practices', debug: 'debugging and troubleshooting',
  deploy: 'deployment and configuration', secure: 'security', refactor: 'best practices and patterns',
};

/** The docs topic for an analysis (its first capability's). */
export function researchTopic(analysis: Analysis): string {
  return TOPICS[analysis.capabilities[0] ?? 'analyze'];
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What a docs look-up gave: the value, the calls to the source it cost (0 when a cache answered), and why it is stale if it is. */
export interface DocsLookup<T> {
  value: T;
  calls: number;
  /** Set when a cache served an expired copy because the source failed: the failure. */
  stale?: string;
}

/**
 * A docs source that reports each look-up's cost and freshness: the shared cache's CachedDocsSource.
 * Research reads these when a source offers them; a plain DocsSource costs one call a look-up.
 */
export interface DocsLookupSource extends DocsSource {
  queryDocsLookup(libraryId: string, query: string): Promise<DocsLookup<string>>;
  resolveLibraryLookup(libraryName: string, query: string): Promise<DocsLookup<LibraryMatch[]>>;
}

const offersLookups = (source: DocsSource): source is DocsLookupSource => typeof (source as Partial<DocsLookupSource>).queryDocsLookup === 'function';

/** A look-up of either kind, its failure caught (also a source that throws synchronously instead of rejecting). */
async function lookUp<T>(source: DocsSource, detailed: (s: DocsLookupSource) => Promise<DocsLookup<T>>, plain: () => Promise<T>): Promise<DocsLookup<T> | { error: string; calls: number }> {
  try {
    return offersLookups(source) ? await detailed(source) : { value: await plain(), calls: 1 };
  } catch (e) {
    return { error: message(e), calls: 1 };
  }
}

/** What resolving the requirement's unlisted library names gave. */
interface Resolution {
  targets: ResearchTarget[];
  calls: number;
  /** Names sent to the resolve tool. */
  lookups: number;
  degraded: string[];
}

/**
 * Ids for the libraries the requirement names but analysis did not list: a catalog name directly, any
 * other name through the source's resolve tool (asked with the name alone, so the answer is the same
 * for every requirement and caches once per name). A name that resolves to nothing is a gap, not a
 * degradation; a stale resolution is used as it is, since library ids hardly ever change.
 */
async function resolveUnlisted(analysis: Analysis, source: DocsSource): Promise<Resolution> {
  const named = unlistedLibraries(analysis);
  const resolution: Resolution = { targets: [], calls: 0, lookups: 0, degraded: [] };
  if (named.length === 0) return resolution;
  const answers = await Promise.all(
    named.map((n) => (n.libraryId ? undefined : lookUp(source, (s) => s.resolveLibraryLookup(n.name, n.name), () => source.resolveLibrary(n.name, n.name)))),
  );
  named.forEach((n, i) => {
    const answer = answers[i];
    if (n.libraryId) resolution.targets.push({ libraryId: n.libraryId, name: n.name });
    if (!answer) return;
    resolution.lookups++;
    resolution.calls += answer.calls;
    if ('error' in answer) {
      resolution.degraded.push(`research for "${n.name}" failed: could not resolve its library id: ${answer.error}`);
      return;
    }
    const match = pickLibraryMatch(n.name, answer.value);
    if (match) resolution.targets.push({ libraryId: match.libraryId, name: match.title });
  });
  return resolution;
}

/**
 * Looks up the docs for the requirement's libraries and compresses them to the budget. One docs call
 * per library, at most MAX_RESEARCH_LIBRARIES (after a resolve call per name the catalog does not
 * know); a failing library becomes a `degraded` reason, and so does one answered from a stale cache
 * copy ("stale research"). Never throws.
 */
export async function research(analysis: Analysis, source: DocsSource, options: ResearchOptions = {}): Promise<Research> {
  const budget = options.budgetTokens ?? DEFAULT_RESEARCH_BUDGET;
  try {
    const resolution = await resolveUnlisted(analysis, source);
    const targets = researchTargets(analysis, options.extraLibraries, resolution.targets);
    const degraded = [...resolution.degraded];
    let calls = resolution.calls;
    const lookups = resolution.lookups + targets.length;
    // No look-up at all reads as the empty research (lookups is left out when 0).
    if (targets.length === 0) return { libraries: [], tokens: 0, calls, ...(lookups > 0 ? { lookups } : {}), degraded };
    // One call per library, in parallel; a failure stays with its library.
    const topic = researchTopic(analysis);
    const answers = await Promise.all(
      targets.map((t) => {
        const query = t.queryByRequirement ? analysis.requirement : topic;
        return lookUp(source, (s) => s.queryDocsLookup(t.libraryId, query), () => source.queryDocs(t.libraryId, query));
      }),
    );
    const found: LibraryDocs[] = [];
    targets.forEach((target, i) => {
      const answer = answers[i] ?? { error: 'no answer', calls: 0 };
      calls += answer.calls;
      if (!('error' in answer) && isNoDocsAnswer(answer.value)) return;
      const error = 'error' in answer ? answer.error : docsAnswerError(answer.value);
      if ('error' in answer || error !== undefined) {
        degraded.push(`research for ${target.libraryId} failed: ${error}`);
        return;
      }
      if (answer.stale !== undefined) degraded.push(`stale research for ${target.libraryId}: a cached copy past its TTL, as the source failed: ${answer.stale}`);
      const docs = extractMemo(answer.value);
      if (docs.items.length + docs.snippets.length === 0) degraded.push(`research for ${target.libraryId} found no usable documentation`);
      else found.push({ ...target, docs });
    });
    const { libraries, tokens } = compressResearch(found, analysis.requirement, analysis.keyTerms, budget);
    return { libraries, tokens, calls, lookups, degraded };
  } catch (e) {
    return { libraries: [], tokens: 0, calls: 0, degraded: [`research failed: ${message(e)}`] };
  }
}
