import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_LIBRARIES,
  EMPTY_RESEARCH,
  LIBRARIES,
  ResearchSchema,
  estimateTokens,
  research,
  type Analysis,
  type DocsSource,
  type Framework,
} from '@agent-factory/core';
import { compressResearch, renderResearch } from '@agent-factory/core';
import { docsAnswerError, extractDocs, isNoDocsAnswer } from '@agent-factory/core';
import {
  BUNDLED_KNOWLEDGE_DIR,
  LocalDocsSource,
  SNIPPET_SEPARATOR,
  UNKNOWN_LIBRARY_TEXT,
  USER_DOCS_LIBRARY_ID,
  parseKnowledgeFile,
  parseLibrarySearch,
  readKnowledgeBase,
} from '@agent-factory/research';

const fixture = (path: string): string => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const knowledgeBase = readKnowledgeBase();
const local = new LocalDocsSource({ knowledgeBase });

function analysisOf(requirement: string, frameworks: [string, string][], domain = 'backend', keyTerms: string[] = []): Analysis {
  const fw: Framework[] = frameworks.map(([name, libraryId]) => ({ name, libraryId, domain }));
  return {
    requirement,
    language: 'en',
    domains: { primary: { name: domain, confidence: 0.8 }, secondary: [] },
    capabilities: ['review'],
    constraints: [],
    scale: 'medium',
    frameworks: fw,
    integrations: [],
    patterns: [],
    ambiguities: [],
    keyTerms,
    needsWeb: false,
    needsShell: false,
  };
}

describe('bundled knowledge base', () => {
  const files = readdirSync(BUNDLED_KNOWLEDGE_DIR).filter((f) => f.endsWith('.md'));

  it('has at least 55 files, each with an id, sources, the four sections and a short example', () => {
    expect(files.length).toBeGreaterThanOrEqual(55);
    for (const file of files) {
      const text = readFileSync(`${BUNDLED_KNOWLEDGE_DIR}/${file}`, 'utf8');
      const entry = parseKnowledgeFile(text, file);
      for (const heading of ['## Best practices', '## Patterns', '## Pitfalls', '## Example']) expect(text, file).toContain(heading);
      expect(entry.id, file).toMatch(/^\/[^/]+\/[^/]+$/);
      expect(entry.sources.length, file).toBeGreaterThan(0);
      for (const url of entry.sources) expect(url, file).toMatch(/^https:\/\/\S+$/);
      expect(entry.practices.length, file).toBeGreaterThanOrEqual(4);
      expect(entry.patterns.length, file).toBeGreaterThanOrEqual(2);
      expect(entry.pitfalls.length, file).toBeGreaterThanOrEqual(3);
      expect(entry.example?.code.trim(), file).toBeTruthy();
      expect(entry.example?.code.split('\n').length, file).toBeLessThanOrEqual(12);
    }
    expect(new Set(knowledgeBase.entries.map((e) => e.id)).size).toBe(files.length);
  });

  it('uses the catalog id wherever it covers the same library, and has a file for every domain fallback', () => {
    const ids = new Set(knowledgeBase.entries.map((e) => e.id));
    for (const entry of knowledgeBase.entries) {
      const same = LIBRARIES.find((l) => l.name.toLowerCase() === entry.name.toLowerCase());
      if (same) expect(entry.id, entry.file).toBe(same.libraryId);
    }
    for (const targets of Object.values(DOMAIN_LIBRARIES)) for (const t of targets) expect(ids).toContain(t.libraryId);
  });
});

describe('LocalDocsSource', () => {
  it('answers query-docs in Context7 format, the most relevant section first', async () => {
    const text = await local.queryDocs('/facebook/react', 'a list that can reorder needs stable keys');
    expect(text.startsWith('### React best practices\n\nSource: https://react.dev/')).toBe(true);
    expect(text.split('\n').find((l) => l.startsWith('- '))).toMatch(/Keys must be stable/);
    expect(text).toContain(`\n\n${SNIPPET_SEPARATOR}\n\n### React `);
    expect(text).toMatch(/```jsx\n[\s\S]+\n```/);
    expect(await local.queryDocs('/facebook/react', 'a list that can reorder needs stable keys')).toBe(text);
  });

  it('answers unknown ids and names in plain text, like Context7', async () => {
    expect(await local.queryDocs('/nobody/nothing', 'anything')).toBe(UNKNOWN_LIBRARY_TEXT);
    // Context7's words first (clients test for them), then what the bundled docs do cover.
    expect(local.resolveLibraryText('no such library anywhere', 'x')).toBe(
      `No libraries found matching the provided name. The bundled docs have no library named "no such library anywhere": they cover ${knowledgeBase.entries.length} libraries and practice areas.`,
    );
  });

  it('resolves names and aliases to ids and renders resolve-library-id text', async () => {
    expect((await local.resolveLibrary('Next.js', 'routing'))[0]?.libraryId).toBe('/vercel/next.js');
    expect((await local.resolveLibrary('k8s', 'probes'))[0]?.libraryId).toBe('/kubernetes/kubernetes');
    const text = local.resolveLibraryText('postgres', 'indexes');
    expect(text).toMatch(/^Available Libraries:\n\n- Title: PostgreSQL\n- Context7-compatible library ID: \/postgres\/postgres\n- Description: /);
    expect(text).toContain('- Source Reputation: High');
  });

  it("answers resolve-library-id in Context7's full format, which our client reads back", () => {
    // Context7's entry lines, in its order (REFERENCE.md): every entry has each of them.
    const LINES = ['Title', 'Context7-compatible library ID', 'Description', 'Code Snippets', 'Source Reputation', 'Benchmark Score'];
    const withDocs = new LocalDocsSource({ extraDirs: [fixture('user-docs')] });
    for (const name of [...knowledgeBase.entries.map((e) => e.name), 'adr']) {
      const text = withDocs.resolveLibraryText(name, '');
      expect(text.startsWith('Available Libraries:\n\n')).toBe(true);
      const entries = text.slice('Available Libraries:\n\n'.length).split('\n----------\n');
      for (const entry of entries) {
        expect(entry.split('\n').map((l) => /^- ([^:]+):/.exec(l)?.[1]), name).toEqual(LINES);
        expect(Number(/^- Benchmark Score: (\d+)$/m.exec(entry)?.[1])).toBeGreaterThan(0);
      }
      expect(parseLibrarySearch(text).map((m) => m.libraryId)).toEqual(entries.map((e) => /library ID: (\S+)/.exec(e)?.[1]));
    }
  });

  it('ranks the user docs sections by BM25, the relevant section first', async () => {
    const withDocs = new LocalDocsSource({ extraDirs: [fixture('user-docs')] });
    const hits = withDocs.knowledgeBase.searchUserDocs('which database should a new service use', 3);
    expect(hits[0]?.section).toMatchObject({ title: 'Decision', file: 'adr-0007-database.md' });
    const text = await withDocs.queryDocs(USER_DOCS_LIBRARY_ID, 'publish domain events from a service');
    expect(text.startsWith('### ADR 0009: Domain events over Kafka › Decision\n\nSource: adr-0009-events.md\n\nServices publish')).toBe(true);
    expect((await withDocs.resolveLibrary('adr', ''))[0]?.libraryId).toBe(USER_DOCS_LIBRARY_ID);
  });
});

describe('extraction from Context7 answers', () => {
  const answer = readFileSync(fixture('context7/react-hooks.md'), 'utf8');
  const docs = extractDocs(answer);

  it('classifies sentences into practices, pitfalls and patterns, with their sources', () => {
    const of = (kind: string): string[] => docs.items.filter((i) => i.kind === kind).map((i) => i.text);
    expect(of('practice')).toContain('Always call Hooks at the top level of your function component, before any early returns.');
    expect(of('pitfall')).toContain("Don't call Hooks inside loops, conditions, nested functions, or try/catch/finally blocks.");
    expect(of('pitfall').some((t) => t.startsWith('A common mistake is to store derived values'))).toBe(true);
    expect(of('pattern')).toContain('This pattern keeps components focused on intent.');
    const rules = docs.items.find((i) => i.text.startsWith('Always call Hooks'));
    expect(rules?.source).toBe('https://github.com/reactjs/react.dev/blob/main/src/content/reference/rules/rules-of-hooks.md');
    expect(docs.sources).toHaveLength(3);
  });

  it('keeps code blocks as snippets with language and source', () => {
    expect(docs.snippets).toHaveLength(3);
    expect(docs.snippets[1]).toMatchObject({ language: 'jsx', source: expect.stringContaining('you-might-not-need-an-effect') });
    expect(docs.snippets[2]?.code).toContain('export function useOnlineStatus()');
  });

  it('reads the legacy TITLE/SOURCE/CODE format and recognizes error answers', () => {
    const legacy = 'TITLE: Use parameterized queries\nDESCRIPTION: Always pass values as parameters.\nSOURCE: https://example.com/a\n\nLANGUAGE: sql\nCODE:\n```sql\nSELECT 1\n```\n';
    expect(extractDocs(legacy)).toMatchObject({ items: [{ kind: 'practice', source: 'https://example.com/a' }], snippets: [{ language: 'sql' }] });
    expect(docsAnswerError('Rate limited or quota exceeded. Upgrade your plan at https://context7.com/plans for higher limits.')).toMatch(/^Rate limited/);
    expect(docsAnswerError(UNKNOWN_LIBRARY_TEXT)).toBeUndefined();
    expect(isNoDocsAnswer(UNKNOWN_LIBRARY_TEXT)).toBe(true);
    expect(docsAnswerError(answer)).toBeUndefined();
  });
});

describe('research()', () => {
  const four: [string, string][] = [
    ['Next.js', '/vercel/next.js'],
    ['PostgreSQL', '/postgres/postgres'],
    ['Redis', '/redis/redis'],
    ['Docker', '/docker/docs'],
    ['Kubernetes', '/kubernetes/kubernetes'],
  ];
  const requirement = 'Review a Next.js app that caches PostgreSQL queries in Redis and ships as a Docker image';

  it('researches at most 4 libraries and keeps the compressed notes within the budget', async () => {
    for (const budget of [1500, 600, 250]) {
      const result = await research(analysisOf(requirement, four, 'backend', ['cache', 'docker image']), local, { budgetTokens: budget });
      expect(ResearchSchema.parse(result)).toEqual(result);
      expect(result.calls).toBe(4);
      expect(result.degraded).toEqual([]);
      expect(result.tokens).toBeLessThanOrEqual(budget);
      expect(estimateTokens(renderResearch(result.libraries))).toBeLessThanOrEqual(result.tokens);
      for (const lib of result.libraries) {
        expect(lib.practices.length).toBeLessThanOrEqual(5);
        expect(lib.pitfalls.length).toBeLessThanOrEqual(3);
        expect(lib.patterns.length).toBeLessThanOrEqual(2);
        expect(lib.snippets.length).toBeLessThanOrEqual(1);
      }
    }
    const full = await research(analysisOf(requirement, four), local);
    expect(full.libraries.map((l) => l.libraryId)).toEqual(four.slice(0, 4).map(([, id]) => id));
    expect(full.libraries.every((l) => l.practices.length > 0 && l.sources.length > 0)).toBe(true);
  });

  it('prefers the items that overlap the requirement', () => {
    const docs = extractDocs('### Tips\n\nSource: s\n\n- Use caching for reads.\n- Use connection pooling for every database client.\n');
    const lib = [{ libraryId: '/a/b', name: 'B', docs }];
    expect(compressResearch(lib, 'database connection pooling', [])).toMatchObject({
      libraries: [{ practices: ['Use connection pooling for every database client.', 'Use caching for reads.'], sources: ['s'] }],
    });
    const tight = compressResearch(lib, 'database connection pooling', [], 30);
    expect(tight.libraries[0]?.practices).toEqual(['Use connection pooling for every database client.']);
    expect(tight.tokens).toBeLessThanOrEqual(30);
  });

  it('turns a failing docs source into a degraded reason instead of throwing', async () => {
    const failing: DocsSource = {
      name: 'failing',
      resolveLibrary: () => Promise.resolve([]),
      queryDocs: (id) => {
        if (id === '/docker/docs') throw new Error('not connected');
        return id === '/redis/redis' ? Promise.reject(new Error('connection reset')) : local.queryDocs(id, 'x');
      },
    };
    const result = await research(analysisOf(requirement, four.slice(0, 4)), failing);
    expect(result.degraded).toEqual(['research for /redis/redis failed: connection reset', 'research for /docker/docs failed: not connected']);
    expect(result.calls).toBe(4);
    expect(result.libraries.map((l) => l.libraryId)).toEqual(['/vercel/next.js', '/postgres/postgres']);

    const limited: DocsSource = { ...failing, queryDocs: () => Promise.resolve('Rate limited or quota exceeded. Try later.') };
    const none = await research(analysisOf(requirement, four.slice(0, 1)), limited);
    expect(none).toMatchObject({ libraries: [], tokens: 0, degraded: ['research for /vercel/next.js failed: Rate limited or quota exceeded. Try later.'] });
  });

  it('falls back to the primary domain docs, or to no research at all', async () => {
    const security = await research(analysisOf('Audit the login flow for injection flaws', [], 'security'), local);
    expect(security.libraries.map((l) => l.libraryId)).toContain('/owasp/cheatsheetseries');
    expect(security.degraded).toEqual([]);
    const general = await research(analysisOf('Summarize meeting notes', [], 'general'), local);
    expect(general).toEqual(EMPTY_RESEARCH);
  });

  it('treats a library the source has no docs for as a gap, not a degradation', async () => {
    const result = await research(analysisOf('Build a Nuxt app', [['Nuxt', '/nuxt/nuxt-unknown']]), local);
    expect(result.degraded).toEqual([]);
    expect(result.libraries).toEqual([]);
    expect(result.calls).toBe(1);
  });
});
