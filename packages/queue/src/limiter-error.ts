/**
 * A generation that must not start now (a limit is spent further ahead than a job should sleep, or
 * the API answered 429): the job goes back to the queue without spending an attempt, and fetching
 * pauses for `retryInMs` on every generate worker.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly rateLimited = true;

  constructor(
    readonly retryInMs: number,
    message: string,
  ) {
    super(message);
  }
}
