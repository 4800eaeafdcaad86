import { z } from 'zod';

export const GATE_IDS = ['syntax', 'content', 'claude-code', 'trust5'] as const;
export const GateIdSchema = z.enum(GATE_IDS);
export type GateId = z.infer<typeof GateIdSchema>;

export const FindingSchema = z.object({
  gate: GateIdSchema,
  /** Stable rule id, e.g. `syntax/no-bom`. */
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  /** 1-based line in the file; 1 when the finding is about the whole file. */
  line: z.number().int().min(1),
  message: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const GateResultSchema = z.object({
  gate: GateIdSchema,
  score: z.number().min(0).max(100),
  passed: z.boolean(),
  findings: z.array(FindingSchema),
});
export type GateResult = z.infer<typeof GateResultSchema>;

export const GateReportSchema = z.object({
  passed: z.boolean(),
  gates: z.array(GateResultSchema),
});
export type GateReport = z.infer<typeof GateReportSchema>;
