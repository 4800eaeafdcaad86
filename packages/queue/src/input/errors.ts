/** One bad record: its 1-based line in the input (a CSV record spanning lines: its first line). */
export interface InputProblem {
  line: number;
  message: string;
}

/** The input as a whole cannot be used (unreadable, no `requirement` column, broken CSV quoting, empty). Not skippable. */
export class RequirementsInputError extends Error {
  override readonly name = 'RequirementsInputError';
}
