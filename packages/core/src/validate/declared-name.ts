import type { ParsedAgentFile } from './parse.js';

/** The `name:` an agent file declares, and its line: what Claude Code knows the agent by. */
export interface DeclaredName {
  name: string;
  line: number;
}

/**
 * A copy of a string cut from a file's text that no longer keeps that text alive: V8 keeps a slice's
 * whole parent string, so a name kept per file (the duplicate check, a folder's taken names) would
 * keep every file. JSON round-trips any string exactly, lone surrogates included.
 */
function detached(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}

/** The file's `name`, when it is a non-empty string (anything else is gate 1's finding, and names no agent). */
export function declaredName(file: ParsedAgentFile): DeclaredName | undefined {
  const field = file.frontmatter.fields.get('name');
  return field && typeof field.value === 'string' && field.value !== '' ? { name: detached(field.value), line: field.line } : undefined;
}
