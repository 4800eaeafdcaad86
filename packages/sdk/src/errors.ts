/**
 * Something the caller must fix: a bad config value, requirement, option or input file. The CLI
 * reports it as bad usage (exit 2); the MCP server as an `isError` result with this message.
 */
export class FactoryInputError extends Error {
  override readonly name = 'FactoryInputError';
}

/** A service the call needs is not there (Redis, for the batch functions); the message says how to get it. */
export class FactoryUnavailableError extends Error {
  override readonly name = 'FactoryUnavailableError';
}
