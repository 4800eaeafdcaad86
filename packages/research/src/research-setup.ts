import { existsSync } from 'node:fs';
import type { DocsSource, ResearchTarget } from '@agent-factory/core';
import { LocalDocsSource, USER_DOCS_LIBRARY_ID } from './local-docs-source.js';
import { docsCallTokens } from './mcp-docs-source.js';
import { context7Http, context7Stdio, localMcp, type McpSourceTuning } from './mcp-sources.js';
import { withUserDocs } from './user-docs-router.js';

/** Where research reads docs (AF_RESEARCH). */
export const RESEARCH_MODES = ['local', 'context7', 'context7-stdio', 'none'] as const;
export type ResearchMode = (typeof RESEARCH_MODES)[number];

/** AF_RESEARCH as a worker (and doctor) reads it: unset or empty means the default (see researchMode). */
export function parseResearchMode(value: string | undefined): ResearchMode | undefined {
  const wanted = value || undefined;
  if (wanted !== undefined && !(RESEARCH_MODES as readonly string[]).includes(wanted)) throw new Error(`AF_RESEARCH must be ${RESEARCH_MODES.join(', ')}, not "${wanted}"`);
  return wanted as ResearchMode | undefined;
}

export interface ResearchSetupOptions {
  /** Default: context7 when a Context7 key is given, else local. */
  research?: ResearchMode;
  /** The user's Markdown (AF_DOCS_DIR). */
  docsDir?: string;
  /** CONTEXT7_API_KEY. */
  context7ApiKey?: string;
  /** CONTEXT7_URL: another Context7-compatible server (self-hosted, or a test's). */
  context7Url?: string;
  /** The research budget per agent (AF_RESEARCH_BUDGET): a docs call asks for no more (see docsCallTokens). Default: core's. */
  researchBudget?: number;
  /** Docs calls in flight at once in this process (AF_RESEARCH_CONCURRENCY). Default: no bound. */
  concurrency?: number;
}

export interface ResearchSetup {
  docs?: DocsSource;
  /** The user's own docs (AF_DOCS_DIR), researched for every requirement. */
  extraLibraries: ResearchTarget[];
}

/** A research setting that cannot work (a docs folder that does not exist). */
export class ResearchSetupError extends Error {
  override readonly name = 'ResearchSetupError';
}

/** The mode AF_RESEARCH names, or the default: Context7 when there is a key for it, else the bundled docs. */
export function researchMode(research: ResearchMode | undefined, context7ApiKey: string | undefined): ResearchMode {
  return research ?? (context7ApiKey ? 'context7' : 'local');
}

/**
 * The research source AF_RESEARCH names, always over MCP: the bundled docs server in-process
 * (`local`), Context7 over HTTP (`context7`) or stdio (`context7-stdio`), or none. One wiring for
 * the worker and the in-process commands, so both research alike. Nothing connects until the first
 * look-up, so a docs server that is down degrades research instead of stopping a worker.
 */
export function createResearchSetup(options: ResearchSetupOptions): ResearchSetup {
  const mode = researchMode(options.research, options.context7ApiKey);
  if (mode === 'none') return { extraLibraries: [] };
  const extraDirs = options.docsDir ? [options.docsDir] : [];
  for (const dir of extraDirs) if (!existsSync(dir)) throw new ResearchSetupError(`AF_DOCS_DIR ${dir} does not exist`);
  const extraLibraries = extraDirs.length > 0 ? [{ libraryId: USER_DOCS_LIBRARY_ID, name: 'Your docs', queryByRequirement: true }] : [];
  const tuning: McpSourceTuning = {
    ...(options.researchBudget !== undefined ? { legacyTokens: docsCallTokens(options.researchBudget) } : {}),
    ...(options.concurrency !== undefined ? { maxCallsInFlight: options.concurrency } : {}),
  };
  // The knowledge base behind the bundled server; with Context7 it still answers for the user's docs.
  if (mode === 'local') return { docs: localMcp({ ...tuning, source: new LocalDocsSource({ extraDirs }) }), extraLibraries };
  const remote = mode === 'context7' ? context7Http({ ...tuning, url: options.context7Url, apiKey: options.context7ApiKey }) : context7Stdio({ ...tuning, apiKey: options.context7ApiKey });
  return { docs: extraDirs.length > 0 ? withUserDocs(remote, new LocalDocsSource({ extraDirs })) : remote, extraLibraries };
}
