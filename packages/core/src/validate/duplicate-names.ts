import type { GateReport } from '../schemas/report.js';
import type { DeclaredName } from './declared-name.js';
import { RULES, type RuleId } from './rules.js';
import { PENALTIES } from './scoring.js';

const RULE: RuleId = 'claude-code/duplicate-name';

/** One file of several validated together: where it is, its report, and the name it declares. */
export interface CheckedFile {
  path: string;
  report: GateReport;
  name?: DeclaredName;
}

/** The report with the rule's error added to its gate, which then fails, as does the report. */
function withError(report: GateReport, line: number, message: string): GateReport {
  const { gate, severity } = RULES[RULE];
  const gates = report.gates.map((g) => g.gate !== gate ? g : {
    ...g,
    score: Math.max(0, g.score - PENALTIES[severity]),
    passed: false,
    findings: [...g.findings, { gate, rule: RULE, severity, line, message }],
  });
  return { passed: false, gates };
}

/** The folder part of a path, `/` or `\\` separated ('' for a bare file name). */
function folderOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * The check across files: Claude Code loads one agent per name from an agents folder, so each file
 * whose name an earlier file of the same folder already declares gets an error naming that file.
 * Files in other folders (another project, the user's agents, two output folders) may share names:
 * Claude Code never loads them as one set. Returns the files in their order, reports updated.
 */
export function withDuplicateNames<T extends CheckedFile>(files: readonly T[]): T[] {
  const first = new Map<string, T>();
  return files.map((file) => {
    if (!file.name) return file;
    const key = `${folderOf(file.path)}\u0000${file.name.name}`;
    const owner = first.get(key);
    if (!owner) {
      first.set(key, file);
      return file;
    }
    const message = `Another agent file, ${owner.path} (line ${owner.name?.line ?? 1}), is named "${file.name.name}" too: Claude Code loads only one agent per name, so rename one of them.`;
    return { ...file, report: withError(file.report, file.name.line, message) };
  });
}
