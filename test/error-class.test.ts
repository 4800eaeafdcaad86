import { errorClass } from '@agent-factory/core';
import { describe, expect, it } from 'vitest';

describe('errorClass (the "top errors" of report)', () => {
  it('counts one failure once, whatever its numbers, ids and quoted values', () => {
    expect(errorClass('generate: timed out after 30000 ms (after 5 attempts)')).toBe(errorClass('generate: timed out after 29871 ms (after 3 attempts)'));
    expect(errorClass('no library "react" for item 5f3a9c1e2b')).toBe(errorClass('no library "vue" for item 77aa00ff11'));
  });

  it('keeps HTTP statuses: a 401 and a 529 are different failures', () => {
    expect(errorClass('generate: Anthropic API 401 authentication_error: invalid x-api-key')).toBe('generate: Anthropic API 401 authentication_error: invalid x-api-key');
    expect(errorClass('generate: Anthropic API 529 overloaded_error (still failing after 4 retries)')).toBe('generate: Anthropic API 529 overloaded_error (still failing after N retries)');
    expect(errorClass('timed out after 500 ms')).toBe('timed out after N ms');
  });
});
