/**
 * POSTs a body (the exact bytes, so a signature over them holds), JSON unless told otherwise, with a
 * timeout; the answer's body is discarded, only its status matters to the callers (alerts, batch
 * webhooks, doctor's empty trace export).
 */
export async function postBody(
  url: string,
  body: string | Uint8Array,
  options: { timeoutMs: number; contentType?: string; headers?: Record<string, string>; redirect?: 'follow' | 'manual' },
): Promise<Response> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json', ...options.headers },
    body,
    ...(options.redirect ? { redirect: options.redirect } : {}),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  await answer.body?.cancel();
  return answer;
}
