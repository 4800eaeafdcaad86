import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CLI, testEnv } from './cli.js';

/** A long-running `agent-factory` command (up, start) a test talks to while it runs. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout + stderr match, rejects when the process exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code (null when a signal killed it). */
  exited: Promise<number | null>;
  /** The PIDs of its child processes now. */
  children(): number[];
  /** After a failed test: SIGKILL for it and its children, if still running. */
  kill(): void;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(out + err)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before ${pattern}: ${out}${err}`);
        if (Date.now() > until) throw new Error(`no ${pattern} after ${timeoutMs} ms: ${out}${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    kill() {
      for (const pid of [...this.children(), child.pid ?? 0]) if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
    },
    children() {
      try {
        return execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      } catch {
        return []; // ps exits 1 when there are none
      }
    },
  };
}

/** Whether a process is still running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
