import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool's answer as text blocks; objects are pretty JSON, which models and people both read. */
export function answer(...parts: (string | object)[]): CallToolResult {
  return { content: parts.map((part) => ({ type: 'text' as const, text: typeof part === 'string' ? part : JSON.stringify(part, null, 2) })) };
}
