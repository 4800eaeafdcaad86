import type { ParsedAgentFile } from './parse.js';

/** The `name:` an agent file declares, and its line: what Claude Code knows the agent by. */
export interface DeclaredName {
  name: string;
  line: number;
}

/** The file's `name`, when it is a non-empty string (anything else is gate 1's finding, and names no agent). */
export function declaredName(file: ParsedAgentFile): DeclaredName | undefined {
  const field = file.frontmatter.fields.get('name');
  return field && typeof field.value === 'string' && field.value !== '' ? { name: field.value, line: field.line } : undefined;
}
