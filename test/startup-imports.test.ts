import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The packages a process has loaded once `module` is imported (what it pays for at start-up): the
 * CommonJS ones from require's cache, the ES modules from a resolve hook that notes every URL.
 */
function loadedPackages(module: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'af-imports-'));
  const urls = join(dir, 'urls.txt');
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(urls)}, resolved.url + '\\n');
  return resolved;
}`;
  const script = `
import { createRequire, register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});
await import(${JSON.stringify(module)});
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  try {
    const files = [...(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[]), ...readFileSync(urls, 'utf8').split('\n')];
    const names = files.filter((f) => f.includes('node_modules/')).map((f) => f.split('node_modules/').pop()!.split('/').slice(0, 2).join('/'));
    return [...new Set(names)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const command = (name: string): string => fileURLToPath(new URL(`../apps/cli/dist/commands/${name}.js`, import.meta.url));
// Each costs a command ~0.1 s of start-up; only workers, the server or a terminal need them.
const HEAVY = ['yaml/', 'prom-client/', 'pino-pretty/', 'gpt-tokenizer/', '@anthropic-ai/sdk/'];

describe('start-up of the producer commands', () => {
  it.each(['submit', 'status', 'results', 'cancel'])('`%s` loads no YAML parser, Prometheus client, pretty printer, tokenizer or Anthropic SDK', (name) => {
    const loaded = loadedPackages(command(name));
    expect(loaded.some((p) => p.startsWith('bullmq/'))).toBe(true);
    expect(loaded.filter((p) => HEAVY.some((h) => `${p}/`.startsWith(h)))).toEqual([]);
  });
});

// The Anthropic SDK (~0.2 s) loads when a client is first made, the MCP SDK's client (~0.1 s) when
// a docs source first connects, its server side only for the docs and MCP servers.
const SDKS = ['@anthropic-ai/sdk', '@modelcontextprotocol/sdk'];

describe('start-up of the commands that run the factory', () => {
  it.each(['worker', 'serve', 'up', 'start', 'generate', 'doctor', 'cache'])('`%s` loads neither the Anthropic SDK nor the MCP SDK until it uses them', (name) => {
    const loaded = loadedPackages(command(name));
    expect(loaded.some((p) => p.startsWith('bullmq/'))).toBe(true);
    expect(loaded.filter((p) => SDKS.some((sdk) => p.startsWith(sdk)))).toEqual([]);
  });
});
