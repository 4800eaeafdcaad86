export { DoctorCheckSchema, DoctorReportSchema, type DoctorCheck, type DoctorCheckStatus, type DoctorReport } from './check.js';
export { formatReport } from './format.js';
export { type DoctorResearch } from './research.js';
export { runDoctor, type DoctorOptions } from './run.js';
export { DEFAULT_SAMPLE } from './sample.js';
