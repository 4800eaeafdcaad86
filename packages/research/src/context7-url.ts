import { z } from 'zod';
import { CONTEXT7_URL } from './mcp-sources.js';

/**
 * CONTEXT7_URL as given, or an error saying what one looks like. One parser for the worker, the
 * CLI's commands and doctor, so all three refuse the same values with the same words; `new URL`
 * alone takes `localhost:8080` (scheme `localhost:`), which no MCP client can reach.
 */
export function parseContext7Url(value: string): string {
  const refuse = (why: string): Error => new Error(`${JSON.stringify(value)} ${why}: give http(s)://host[:port][/path] of a Context7-compatible MCP server (default ${CONTEXT7_URL})`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`has the scheme ${url.protocol.slice(0, -1)}`);
  return value;
}

/** parseContext7Url as a zod schema, for the configurations that zod reads (the CLI's environment, the SDK's options). */
export const Context7UrlSchema = z.string().transform((value, ctx) => {
  try {
    return parseContext7Url(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
