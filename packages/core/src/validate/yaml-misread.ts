/** `key: value  # comment` → `value`, as written in the file. */
const WRITTEN_VALUE = /^[^:]*:[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?$/;

/** A value YAML read as something other than the text the author wrote. */
export interface YamlMisread {
  /** The value as written in the file, e.g. `123`. */
  written: string;
  /** What YAML made of it: `a number`, `a boolean`, `no value (null)`. */
  kind: string;
}

/**
 * Whether YAML turned what the author wrote as text into a number, boolean or null (`name: 123`,
 * `name: true`). Undefined for any other value, and for a field left empty (`name:`): nothing was misread.
 */
export function yamlMisread(value: unknown, sourceLine: string): YamlMisread | undefined {
  const kind = typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : value === null ? 'no value (null)' : undefined;
  if (!kind) return undefined;
  const written = WRITTEN_VALUE.exec(sourceLine)?.[1] ?? '';
  return written === '' ? undefined : { written, kind };
}
