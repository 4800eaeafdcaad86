import { z } from 'zod';

const DOCTOR_STATUSES = ['PASS', 'WARN', 'FAIL'] as const;

/** One line of doctor's output; also the shape `--json` prints, so scripts can rely on it. */
export const DoctorCheckSchema = z.object({
  name: z.string().min(1),
  status: z.enum(DOCTOR_STATUSES),
  /** What was found, with the figures. */
  detail: z.string(),
  /** What to do about a WARN or FAIL. */
  fix: z.string().optional(),
});
export type DoctorCheck = z.infer<typeof DoctorCheckSchema>;
export type DoctorCheckStatus = DoctorCheck['status'];

export const DoctorReportSchema = z.object({
  checks: z.array(DoctorCheckSchema),
  passed: z.number().int().nonnegative(),
  warned: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

/** The fix of a setting a worker would refuse to start with. */
export const SETTING_FIX = 'fix the variable it names, or unset it for its default (see the configuration table in the README)';

export const pass = (name: string, detail: string): DoctorCheck => ({ name, status: 'PASS', detail });
export const warn = (name: string, detail: string, fix: string): DoctorCheck => ({ name, status: 'WARN', detail, fix });
export const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, status: 'FAIL', detail, fix });

/** A count with thousands separators, as every figure in doctor's output. */
export const figure = (n: number): string => n.toLocaleString('en-US');
