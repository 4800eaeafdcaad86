import type { Finding, GateId, GateResult } from '../schemas/report.js';
import { RULES, type RuleId } from './rules.js';

/** Points a finding costs; scores are 100 minus penalties, floor 0. */
export const PENALTIES = { error: 25, warning: 5 } as const;

export interface PassThreshold {
  /** The gate fails on any error. */
  noErrors: boolean;
  /** The gate fails below this score. */
  minScore: number;
}

/** When each gate passes: 1 and 3 on no errors, content at 90, TRUST 5 at 85. */
export const PASS_THRESHOLDS: Record<GateId, PassThreshold> = {
  syntax: { noErrors: true, minScore: 0 },
  content: { noErrors: false, minScore: 90 },
  'claude-code': { noErrors: true, minScore: 0 },
  trust5: { noErrors: false, minScore: 85 },
};

/** Collects one gate's findings and turns them into its result. */
export class GateFindings {
  readonly findings: Finding[] = [];
  private penalty = 0;
  private errors = 0;

  constructor(readonly gate: GateId) {}

  /** Adds a finding; severity and penalty default to the rule's. */
  add(rule: RuleId, line: number, message: string, options: { severity?: 'error' | 'warning'; penalty?: number } = {}): void {
    const severity = options.severity ?? RULES[rule].severity;
    this.findings.push({ gate: this.gate, rule, severity, line: Math.max(1, Math.floor(line) || 1), message });
    this.penalty += options.penalty ?? PENALTIES[severity];
    if (severity === 'error') this.errors++;
  }

  result(): GateResult {
    const score = Math.max(0, 100 - this.penalty);
    const threshold = PASS_THRESHOLDS[this.gate];
    const passed = score >= threshold.minScore && !(threshold.noErrors && this.errors > 0);
    return { gate: this.gate, score, passed, findings: this.findings };
  }
}
