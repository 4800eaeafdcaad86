import type { GateId, GateReport, GateResult } from '../schemas/report.js';
import { checkClaudeCode } from './claude-code.js';
import { checkContent } from './content.js';
import type { ValidationContext } from './context.js';
import { declaredName, type DeclaredName } from './declared-name.js';
import { decodeAgentFile, type EncodingProblem } from './encoding.js';
import { parseAgentFile, type ParsedAgentFile } from './parse.js';
import { GateFindings } from './scoring.js';
import { checkSyntax } from './syntax.js';
import { checkTrust5 } from './trust5.js';

export type GateCheck = (file: ParsedAgentFile, context: ValidationContext) => GateResult;

/** The four gates in report order. */
export const GATES: readonly { id: GateId; check: GateCheck }[] = [
  { id: 'syntax', check: checkSyntax },
  { id: 'content', check: checkContent },
  { id: 'claude-code', check: checkClaudeCode },
  { id: 'trust5', check: checkTrust5 },
];

/** A gate that crashed fails with one finding instead of taking the report down. */
function runGate(id: GateId, check: GateCheck, file: ParsedAgentFile, context: ValidationContext): GateResult {
  try {
    return check(file, context);
  } catch (error) {
    const message = `The ${id} gate crashed (${error instanceof Error ? error.message : String(error)}); please report this file.`;
    return { gate: id, score: 0, passed: false, findings: [{ gate: id, rule: `${id}/internal-error`, severity: 'error', line: 1, message }] };
  }
}

async function runGates(file: ParsedAgentFile, context: ValidationContext): Promise<GateReport> {
  const gates = await Promise.all(GATES.map(async ({ id, check }) => runGate(id, check, file, context)));
  return { passed: gates.every((g) => g.passed), gates };
}

/** Runs the four gates in parallel on an agent file's text. */
export async function validateAgent(content: string, context: ValidationContext = {}): Promise<GateReport> {
  return runGates(parseAgentFile(content), context);
}

/** The same, synchronously, for hot loops that cannot afford a promise per file. */
export function validateAgentSync(content: string, context: ValidationContext = {}): GateReport {
  const file = parseAgentFile(content);
  const gates = GATES.map(({ id, check }) => runGate(id, check, file, context));
  return { passed: gates.every((g) => g.passed), gates };
}

/**
 * A file that is not UTF-8 fails gate 1 with that one finding. The other gates are not run (score 0,
 * no findings): judged on replacement characters, their findings would only bury the real problem.
 */
function encodingReport(problem: EncodingProblem): GateReport {
  const syntax = new GateFindings('syntax');
  syntax.add('syntax/encoding', problem.line, problem.message);
  const notRun = GATES.filter(({ id }) => id !== 'syntax').map(({ id }): GateResult => ({ gate: id, score: 0, passed: false, findings: [] }));
  return { passed: false, gates: [syntax.result(), ...notRun] };
}

/**
 * The four gates on an agent file's bytes, as read from disk, and the name it declares (for
 * withDuplicateNames when several files are checked together), from one parse.
 */
export async function checkAgentBytes(bytes: Uint8Array, context: ValidationContext = {}): Promise<{ report: GateReport; name?: DeclaredName }> {
  const decoded = decodeAgentFile(bytes);
  if (!('text' in decoded)) return { report: encodingReport(decoded.problem) };
  const file = parseAgentFile(decoded.text);
  const report = await runGates(file, context);
  const name = declaredName(file);
  return name ? { report, name } : { report };
}

/** The four gates on an agent file's bytes, as read from disk: what `agent-factory validate` and the SDK check. */
export async function validateAgentBytes(bytes: Uint8Array, context: ValidationContext = {}): Promise<GateReport> {
  return (await checkAgentBytes(bytes, context)).report;
}

export { declaredName, type DeclaredName } from './declared-name.js';
export { DuplicateNames, withDuplicateNames, type CheckedFile } from './duplicate-names.js';
export { decodeAgentFile, type DecodedAgentFile, type EncodingProblem } from './encoding.js';
export { parseAgentFile } from './parse.js';
export type { FrontmatterField, FrontmatterStatus, ParsedAgentFile, YamlProblem } from './parse.js';
export { checkSyntax } from './syntax.js';
export { checkContent, CONTENT_LENGTH_BOUNDS } from './content.js';
export { checkClaudeCode, DESCRIPTION_MAX_CHARS } from './claude-code.js';
export { checkTrust5, WALL_OF_TEXT_CHARS } from './trust5.js';
export { PASS_THRESHOLDS, PENALTIES, type PassThreshold } from './scoring.js';
export { RULES, type RuleId, type RuleInfo } from './rules.js';
export { ORCHESTRATION_SUBSECTIONS, RESPONSIBILITY_SUBSECTIONS, TIER_SECTIONS, tierSubsections } from './tier-sections.js';
