/** Bad usage or bad input: reported on one line of stderr, exit code 2, nothing written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
