import type { GateReport } from '../schemas/report.js';
import type { ValidationContext } from './context.js';

// STUB: owned by the validation helper.
/** Runs the four gates in parallel on an agent file's text. */
export async function validateAgent(content: string, context: ValidationContext = {}): Promise<GateReport> {
  throw new Error(`not implemented ${content.length} ${Object.keys(context).length}`);
}
