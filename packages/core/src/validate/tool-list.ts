/** One entry of a `tools` field: the tool's name and what was written (e.g. `Agent(worker, reviewer)`). */
export interface ToolEntry {
  name: string;
  raw: string;
}

const ARGS = /\(.*$/s;

/** Splits on commas outside parentheses, so `Agent(worker, reviewer)` stays one entry. */
function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */ && depth > 0) depth--;
    else if (c === 44 /* , */ && depth === 0) {
      parts.push(value.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(value.slice(from));
  return parts;
}

/**
 * The entries of a `tools`/`disallowedTools` value, written as Claude Code expects (a
 * comma-separated string) or as a YAML list; undefined when absent or of another type.
 */
export function toolEntries(value: unknown): ToolEntry[] | undefined {
  let parts: string[];
  if (typeof value === 'string') parts = splitTopLevel(value);
  else if (Array.isArray(value)) parts = value.map((v) => (typeof v === 'string' ? v : String(v)));
  else return undefined;
  const entries: ToolEntry[] = [];
  for (const part of parts) {
    const raw = part.trim();
    if (raw !== '') entries.push({ raw, name: raw.replace(ARGS, '').trim() });
  }
  return entries;
}
