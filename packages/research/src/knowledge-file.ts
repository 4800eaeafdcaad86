import { lazyModule } from '@agent-factory/core';
import type * as Yaml from 'yaml';

const yaml = lazyModule<typeof Yaml>('yaml', import.meta.url);

export interface CodeExample {
  language: string;
  code: string;
}

/** One bundled knowledge file: curated facts about a library or a practice area. */
export interface KnowledgeEntry {
  /** Context7-style id, e.g. "/facebook/react". */
  id: string;
  name: string;
  aliases: string[];
  description: string;
  /** Public documentation the facts come from; the first is the main page. */
  sources: string[];
  practices: string[];
  patterns: string[];
  pitfalls: string[];
  example: CodeExample | undefined;
  /** The file it was read from, for error messages. */
  file: string;
}

const SECTION_KEYS: Record<string, 'practices' | 'patterns' | 'pitfalls' | 'example'> = {
  'best practices': 'practices',
  patterns: 'patterns',
  pitfalls: 'pitfalls',
  example: 'example',
};

/** Splits `---` YAML frontmatter from the body; no frontmatter yields an empty record. */
export function splitFrontmatter(text: string, file = 'markdown'): { data: unknown; body: string } {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?/.exec(normalized);
  if (!match?.[1]) return { data: {}, body: normalized };
  try {
    return { data: yaml().parse(match[1]) as unknown, body: normalized.slice(match[0].length) };
  } catch (e) {
    throw new Error(`${file}: bad frontmatter: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

function stringList(value: unknown, field: string, file: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new Error(`${file}: frontmatter "${field}" must be a list of strings`);
  }
  return value;
}

function requiredString(data: Record<string, unknown>, field: string, file: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${file}: frontmatter "${field}" is required`);
  return value.trim();
}

/** Bullets of a section; continuation lines join the bullet above. */
function bullets(lines: string[]): string[] {
  const items: string[] = [];
  for (const line of lines) {
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    if (bullet?.[1] !== undefined) items.push(bullet[1].trim());
    else if (line.trim() !== '' && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items;
}

function firstCodeBlock(lines: string[]): CodeExample | undefined {
  const start = lines.findIndex((l) => /^\s*```/.test(l));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^\s*```\s*$/.test(l));
  if (end < 0) return undefined;
  const language = (lines[start] ?? '').trim().slice(3).trim() || 'text';
  return { language, code: lines.slice(start + 1, end).join('\n') };
}

/** Parses one knowledge file; throws with the file name when it is malformed. */
export function parseKnowledgeFile(text: string, file: string): KnowledgeEntry {
  const { data, body } = splitFrontmatter(text, file);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${file}: missing frontmatter`);
  const meta = data as Record<string, unknown>;
  const id = requiredString(meta, 'id', file);
  if (!/^\/[^/\s]+\/[^/\s]+/.test(id)) throw new Error(`${file}: id "${id}" is not /org/project`);
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  let fenced = false;
  for (const line of body.split('\n')) {
    // A `## ` line inside the example's code block is code, not a section.
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^##\s+(.+?)\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      const key = SECTION_KEYS[heading[1].toLowerCase()];
      current = key === undefined ? undefined : [];
      if (key !== undefined && current !== undefined) sections.set(key, current);
    } else current?.push(line);
  }
  return {
    id,
    name: requiredString(meta, 'name', file),
    aliases: stringList(meta['aliases'], 'aliases', file).map((a) => a.toLowerCase()),
    description: typeof meta['description'] === 'string' ? meta['description'].trim() : '',
    sources: stringList(meta['sources'], 'sources', file),
    practices: bullets(sections.get('practices') ?? []),
    patterns: bullets(sections.get('patterns') ?? []),
    pitfalls: bullets(sections.get('pitfalls') ?? []),
    example: firstCodeBlock(sections.get('example') ?? []),
    file,
  };
}
