import { createRequire } from 'node:module';

/**
 * A CommonJS dependency required on first use, resolved from `from` (the caller's import.meta.url).
 * A command imports whole packages; what only some of its paths need (the YAML parser, Prometheus,
 * the tokenizer, the pretty printer) costs every process ~0.1 s of start-up each otherwise, so
 * `status` or `submit` would start like a worker.
 */
export function lazyModule<T>(specifier: string, from: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(from)(specifier) as T);
}
