/** An API key as output may show it: enough to recognise (its first 6 and last 2 characters of a long one), never to use. */
export function maskKey(key: string): string {
  return key.length >= 16 ? `${key.slice(0, 6)}…${key.slice(-2)}` : '…';
}
