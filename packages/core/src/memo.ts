/** `compute` memoized by its text argument; `known` answers from the table only. */
export interface TextMemo<T> {
  (text: string): T;
  known(text: string): T | undefined;
}

/**
 * A copy of a string that refers to no larger one. V8 makes a substring (a line split off an agent
 * file, a slice of it) a view that keeps its whole parent alive: a table of 50,000 lines kept as
 * such views held some 50,000 agent files (about 0.7 KB a requirement, growing with every batch).
 * A JSON round trip makes a new string, one byte a character where it can be, lone surrogates kept.
 */
export function detached<T>(value: T): T {
  return (typeof value === 'string' ? JSON.parse(JSON.stringify(value)) : value) as T;
}

/**
 * `compute` memoized by its text argument, for the texts that recur across agents (template lines,
 * docs notes, framework names). The table is dropped whole when it holds `limit` entries, which
 * costs less per hit than an LRU, and hits dominate. Keys and string values are stored detached
 * from the texts they were cut from.
 */
export function textMemo<T>(limit: number, compute: (text: string) => T): TextMemo<T> {
  let table = new Map<string, T>();
  const memo = (text: string): T => {
    let value = table.get(text);
    if (value === undefined) {
      value = detached(compute(text));
      if (table.size >= limit) table = new Map();
      table.set(detached(text), value);
    }
    return value;
  };
  return Object.assign(memo, { known: (text: string) => table.get(text) });
}
