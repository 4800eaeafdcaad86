/** `compute` memoized by its text argument; `known` answers from the table only. */
export interface TextMemo<T> {
  (text: string): T;
  known(text: string): T | undefined;
}

/**
 * `compute` memoized by its text argument, for the texts that recur across agents (template lines,
 * docs notes, framework names). The table is dropped whole when it holds `limit` entries, which
 * costs less per hit than an LRU, and hits dominate.
 */
export function textMemo<T>(limit: number, compute: (text: string) => T): TextMemo<T> {
  let table = new Map<string, T>();
  const memo = (text: string): T => {
    let value = table.get(text);
    if (value === undefined) {
      value = compute(text);
      if (table.size >= limit) table = new Map();
      table.set(text, value);
    }
    return value;
  };
  return Object.assign(memo, { known: (text: string) => table.get(text) });
}
