import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The CommonJS packages a process has loaded once `module` is imported (what it pays for at start-up). */
function loadedPackages(module: string): string[] {
  const script = `
import { createRequire } from 'node:module';
await import(${JSON.stringify(module)});
const names = Object.keys(createRequire(import.meta.url).cache).map((f) => f.split('node_modules/').pop().split('/').slice(0, 2).join('/'));
process.stdout.write(JSON.stringify([...new Set(names)]));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

const command = (name: string): string => fileURLToPath(new URL(`../apps/cli/dist/commands/${name}.js`, import.meta.url));
// Each costs a command ~0.1 s of start-up; only workers, the server or a terminal need them.
const HEAVY = ['yaml/', 'prom-client/', 'pino-pretty/', 'gpt-tokenizer/'];

describe('start-up of the producer commands', () => {
  it.each(['submit', 'status', 'results'])('`%s` loads no YAML parser, Prometheus client, pretty printer or tokenizer', (name) => {
    const loaded = loadedPackages(command(name));
    expect(loaded.some((p) => p.startsWith('bullmq/'))).toBe(true);
    expect(loaded.filter((p) => HEAVY.some((h) => `${p}/`.startsWith(h)))).toEqual([]);
  });
});
