import type { LimitAmounts, LimitName } from './limiter-config.js';

/** Header names per limit: `anthropic-ratelimit-<name>-limit|remaining|reset`. */
const HEADER_NAMES: Record<LimitName, string> = { requests: 'requests', input: 'input-tokens', output: 'output-tokens' };

/** What the API said about one limit, from a response's `anthropic-ratelimit-*` headers. */
export interface LimitReport {
  limit?: number;
  remaining?: number;
}

function count(headers: Pick<Headers, 'get'>, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The limits and remaining counts a response reports, per limit (absent when the API did not say). */
export function readLimitHeaders(headers: Pick<Headers, 'get'>): Partial<Record<LimitName, LimitReport>> {
  const reports: Partial<Record<LimitName, LimitReport>> = {};
  for (const [name, header] of Object.entries(HEADER_NAMES) as Array<[LimitName, string]>) {
    const limit = count(headers, `anthropic-ratelimit-${header}-limit`);
    const remaining = count(headers, `anthropic-ratelimit-${header}-remaining`);
    if (limit !== undefined || remaining !== undefined) reports[name] = { ...(limit !== undefined ? { limit } : {}), ...(remaining !== undefined ? { remaining } : {}) };
  }
  return reports;
}

/** Remaining counts as script arguments: -1 where unknown. */
export function remainingAmounts(reports: Partial<Record<LimitName, LimitReport>>): LimitAmounts {
  return { requests: reports.requests?.remaining ?? -1, input: reports.input?.remaining ?? -1, output: reports.output?.remaining ?? -1 };
}
