import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eachLine, logLevelOf, readableLog } from './child-log.js';

/** The CLI's own entry, so child processes run exactly this build. */
export const CLI_ENTRY = fileURLToPath(new URL('../bin/agent-factory.js', import.meta.url));

/** A run that lasted less than this counts as a quick failure. */
const QUICK_MS = 30_000;
/** Quick failures in a row after which a child is given up. */
const MAX_QUICK_FAILURES = 5;
const FIRST_BACKOFF_MS = 1000;

/** How a child ended: its exit code or signal, and the last thing it said on stderr. */
export interface ChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  lastWords?: string;
}

/** `worker 1 stopped[ when] (exit code 1): its last words`. */
export function describeExit(exit: ChildExit, when = ''): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  return `${exit.name} stopped${when} (${how})${exit.lastWords ? `: ${exit.lastWords}` : ''}`;
}

export interface ChildSpec {
  /** How its lines and messages are prefixed: `worker 1`, `server`. */
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The output line that says it is ready. */
  ready: RegExp;
  /** Its log lines at this pino level or above are shown. */
  showLevel: number;
  write?: (text: string) => void;
}

/** A CLI child process, started again (with a backoff) when it dies after it was first ready. */
export interface SupervisedChild {
  /** The ready line's match of its first start; rejects with its ChildExit when it ends before that. */
  ready: Promise<RegExpExecArray>;
  /** Resolves once it will not be started again: it exited 0 (someone stopped it), or failed too often. */
  ended: Promise<ChildExit>;
  /** SIGTERM, SIGKILL after killAfterMs; no restart after this. */
  stop(killAfterMs: number): Promise<void>;
}

export function superviseChild(spec: ChildSpec): SupervisedChild {
  const write = spec.write ?? ((text: string) => process.stderr.write(text));
  let child: ChildProcess;
  let stopping = false;
  let everReady = false;
  let quickFailures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let resolveReady!: (match: RegExpExecArray) => void;
  let rejectReady!: (exit: ChildExit) => void;
  let resolveEnded!: (exit: ChildExit) => void;
  const ready = new Promise<RegExpExecArray>((resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)));
  const ended = new Promise<ChildExit>((resolve) => (resolveEnded = resolve));

  const launch = (): void => {
    const startedAt = Date.now();
    let readyNow = false;
    let lastWords: string | undefined;
    child = spawn(process.execPath, [CLI_ENTRY, ...spec.args], { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string, stderr: boolean): void => {
      const match = readyNow ? null : spec.ready.exec(line);
      if (match) {
        readyNow = true;
        if (everReady) write(`${spec.name}: running again.\n`);
        everReady = true;
        resolveReady(match);
        return;
      }
      const level = logLevelOf(line);
      if (level !== undefined) {
        if (level >= spec.showLevel) write(`${spec.name}: ${readableLog(line)}\n`);
      } else if (stderr && line.startsWith('agent-factory: ')) {
        // The CLI's own error line: why it stops, said once in this command's message about it.
        lastWords = line.slice('agent-factory: '.length).trim();
      } else if (stderr && line.trim()) {
        write(`${spec.name}: ${line}\n`);
      }
    };
    eachLine(child.stdout!, (line) => onLine(line, false));
    eachLine(child.stderr!, (line) => onLine(line, true));
    // 'close', not 'exit': its last lines have been read by then.
    child.once('close', (code, signal) => {
      if (stopping) return;
      const exit: ChildExit = { name: spec.name, code, signal, ...(lastWords ? { lastWords } : {}) };
      if (!everReady) return rejectReady(exit);
      if (code === 0) {
        // Stopped by a signal: a terminal's Ctrl-C reaches the children with this command, which
        // may not have started stopping yet. Said only when this command is not stopping after all.
        setTimeout(() => {
          if (stopping) return;
          write(`agent-factory: ${describeExit(exit)}; not restarting it.\n`);
          resolveEnded(exit);
        }, 1000);
        return;
      }
      quickFailures = readyNow && Date.now() - startedAt >= QUICK_MS ? 0 : quickFailures + 1;
      if (quickFailures >= MAX_QUICK_FAILURES) {
        write(`agent-factory: ${describeExit(exit)}; it failed ${quickFailures} times in a row, not restarting it.\n`);
        return resolveEnded(exit);
      }
      const delay = FIRST_BACKOFF_MS * 2 ** Math.max(0, quickFailures - 1);
      write(`agent-factory: ${describeExit(exit)}; restarting it in ${delay / 1000} s.\n`);
      restartTimer = setTimeout(launch, delay);
    });
  };
  launch();

  return {
    ready,
    ended,
    stop(killAfterMs) {
      stopping = true;
      clearTimeout(restartTimer);
      const current = child;
      return new Promise((done) => {
        if (current.exitCode !== null || current.signalCode !== null) return done();
        const timer = setTimeout(() => current.kill('SIGKILL'), killAfterMs);
        current.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        current.kill('SIGTERM');
      });
    },
  };
}
