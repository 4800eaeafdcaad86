// Batch input: streaming readers for files and stdin, and the same checks for API bodies.
export { RequirementsInputError, type InputProblem } from './errors.js';
export { INPUT_FORMATS, InputFormatSchema, formatFromPath, sniffFormat, type InputFormat } from './format.js';
export { MAX_LINE_BYTES } from './lines.js';
export { InputRecordSchema } from './record.js';
export { checkRequirementsFile, readRequirementsFile, discardInput, type CheckResult, type InputOptions } from './file.js';
export { checkRequirementsArray, type ArrayCheckResult, type ArrayCheckOptions, type ArrayProblem } from './array.js';
