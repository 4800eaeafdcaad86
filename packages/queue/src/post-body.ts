/** An http(s) URL's user and password, which fetch refuses in the URL itself, as basic auth instead (curl's way). */
function splitCredentials(url: string): { target: string; authorization?: string } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { target: url };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.href, authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

/**
 * POSTs a body (the exact bytes, so a signature over them holds), JSON unless told otherwise, with a
 * timeout; the answer's body is discarded, only its status matters to the callers (alerts, batch
 * webhooks, doctor's empty trace export). A URL's user:password goes as basic auth. A failure says
 * "<host> unreachable: why" and never quotes the URL, whose path or query may be a secret (Slack's).
 */
export async function postBody(
  url: string,
  body: string | Uint8Array,
  options: { timeoutMs: number; contentType?: string; headers?: Record<string, string>; redirect?: 'follow' | 'manual' },
): Promise<Response> {
  const { target, authorization } = splitCredentials(url);
  let answer: Response;
  try {
    answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', ...(authorization ? { authorization } : {}), ...options.headers },
      body,
      ...(options.redirect ? { redirect: options.redirect } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    const host = new URL(target).host;
    throw new Error(`${host} unreachable: ${why.split(target).join(host).split(url).join(host)}`, { cause: error });
  }
  await answer.body?.cancel();
  return answer;
}
