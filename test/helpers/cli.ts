import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../apps/cli/bin/agent-factory.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `agent-factory` command as a user would, with optional stdin. */
export function runCli(args: string[], options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: testEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

/**
 * The environment for a process a test starts: the test's own, minus provider settings a developer
 * may have exported, so no test ever calls the real Anthropic API (or sends traces to a real collector) by accident.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { ANTHROPIC_API_KEY: _key, ANTHROPIC_BASE_URL: _url, AF_PROVIDER: _provider, CONTEXT7_API_KEY: _ctx7, OTEL_EXPORTER_OTLP_ENDPOINT: _otlp, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _otlpTraces, ...rest } = process.env;
  return { ...rest, ...extra };
}
