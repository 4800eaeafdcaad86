/** Our own JSON read back from Redis; undefined when absent or unreadable, which callers leave out rather than fail on. */
export function parsedJson<T>(raw: string | null | undefined): T | undefined {
  try {
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}
