/** A wait that ran out: the work may still finish later, but nobody waits for it any longer. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Rejects (TimeoutError) once `ms` have passed, so a dependency that never answers cannot hang its caller. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${(ms / 1000).toLocaleString('en-US')} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
