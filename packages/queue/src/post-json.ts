/**
 * POSTs a JSON text (the exact bytes, so a signature over them holds) with a timeout; the answer's
 * body is discarded, only its status matters to the callers (alerts, batch webhooks).
 */
export async function postJson(url: string, body: string, options: { timeoutMs: number; headers?: Record<string, string>; redirect?: 'follow' | 'manual' }): Promise<Response> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    ...(options.redirect ? { redirect: options.redirect } : {}),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  await answer.body?.cancel();
  return answer;
}
