import type { Finding, GateReport } from '@agent-factory/core';
import { summaryLine, type ValidateSummary } from './validate-summary.js';
import { StdoutChunks } from './write-stdout.js';

/** One checked file as `validate` reports it. */
export interface FileResult {
  path: string;
  passed: boolean;
  gates: GateReport['gates'];
}

/** Prints `validate`'s output as each file is checked, in file order, then the summary: nothing is kept for the end. */
export interface ValidateOutput {
  file(result: FileResult, findings: readonly Finding[]): Promise<void>;
  end(summary: ValidateSummary): Promise<void>;
}

/** `file:line rule severity message` per finding (errors only when quiet), then the summary line. */
export function textOutput(quiet: boolean): ValidateOutput {
  const out = new StdoutChunks();
  return {
    async file(result, findings) {
      const lines = findings.filter((f) => !quiet || f.severity === 'error').map((f) => `${result.path}:${f.line} ${f.rule} ${f.severity} ${f.message}\n`);
      if (lines.length > 0) await out.write(lines.join(''));
    },
    async end(summary) {
      await out.write(`${summaryLine(summary)}\n`);
      await out.flush();
    },
  };
}

/** Nested `JSON.stringify(value, null, 2)` at `depth` levels in: the same text the whole document would have. */
const nested = (value: unknown, depth: number): string => JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

/** `{ "files": [...], "summary": {...} }`, byte for byte as JSON.stringify(…, null, 2) of it all, written a file at a time. */
export function jsonOutput(): ValidateOutput {
  const out = new StdoutChunks();
  let count = 0;
  return {
    file: (result) => out.write(`${count++ === 0 ? '{\n  "files": [' : ','}\n    ${nested(result, 2)}`),
    async end(summary) {
      await out.write(`${count === 0 ? '{\n  "files": []' : '\n  ]'},\n  "summary": ${nested(summary, 1)}\n}\n`);
      await out.flush();
    },
  };
}
