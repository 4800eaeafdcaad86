/**
 * A record before validation: its parsed value, or why it could not be parsed. A fatal error ends the
 * input (a CSV without a `requirement` column, broken quoting): nothing after it can be trusted.
 * A notice is something to tell the user that refuses nothing (a CSV's columns it ignores).
 */
export type RawRecord = { line: number; value: unknown } | { line: number; error: string; fatal?: boolean } | InputNotice;

export interface InputNotice {
  line: number;
  notice: string;
}

/** Reads records from a byte stream, in batches. */
export type RecordReader = (source: AsyncIterable<Buffer>) => AsyncGenerator<RawRecord[]>;
