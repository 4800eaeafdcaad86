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
 * Claude Code never loads them as one set. Files are given one at a time, in order, and only each
 * name's first file (path and line) is kept, so a run over any number of files holds no reports.
 */
export class DuplicateNames {
  private readonly first = new Map<string, { path: string; line: number }>();

  /** The file, its report updated when an earlier file of its folder has its name. */
  check<T extends CheckedFile>(file: T): T {
    if (!file.name) return file;
    const key = `${folderOf(file.path)}\u0000${file.name.name}`;
    const owner = this.first.get(key);
    if (!owner) {
      this.first.set(key, { path: file.path, line: file.name.line });
      return file;
    }
    const message = `Another agent file, ${owner.path} (line ${owner.line}), is named "${file.name.name}" too: Claude Code loads only one agent per name, so rename one of them.`;
    return { ...file, report: withError(file.report, file.name.line, message) };
  }
}

/** The same check over files given together: returns them in their order, reports updated. */
export function withDuplicateNames<T extends CheckedFile>(files: readonly T[]): T[] {
  const names = new DuplicateNames();
  return files.map((file) => names.check(file));
}
