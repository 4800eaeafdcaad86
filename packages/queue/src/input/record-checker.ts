import { quoted } from '@agent-factory/core';
import type { BatchItemInput } from '../producer.js';
import { CheckedInput } from './checked-input.js';
import type { InputNotice } from './raw-record.js';
import { checkRecord } from './record.js';

/** A checked record: the item to enqueue, or why not. */
export type Checked = { line: number; item: BatchItemInput } | { line: number; error: string; fatal?: boolean };

/** A record as a scan yields it: checked, or a notice the reader gave. */
export type Scanned = Checked | InputNotice;

/**
 * Checks records in input order and keeps what spans them: the ids seen (duplicates are errors; only
 * ids of otherwise good records count, so --skip-invalid and a second pass decide alike) and the
 * batch's one tenant (given, or the first one a record names).
 */
export class RecordChecker {
  private readonly seen = new Map<string, number>();
  tenant: string | undefined;

  constructor(private readonly options: { tenant?: string; idPrefix: string; where: string }) {
    this.tenant = options.tenant;
  }

  check(line: number, value: unknown): Checked {
    const checked = checkRecord(value);
    if ('error' in checked) return { line, error: checked.error };
    if (checked.tenant !== undefined && checked.tenant !== this.tenant) {
      if (this.tenant !== undefined) return { line, error: `tenant ${quoted(checked.tenant)} differs from the batch's tenant ${quoted(this.tenant)} (one tenant per batch)` };
      this.tenant = checked.tenant;
    }
    const id = checked.item.id ?? `${this.options.idPrefix}${line}`;
    const first = this.seen.get(id);
    if (first !== undefined) {
      // A record without an id gets one from its position, which another record may have taken as its own.
      const given = checked.item.id === undefined ? ` (the id a record without one gets ${this.options.where} ${line})` : '';
      return { line, error: `duplicate id ${quoted(id)}${given} (first ${this.options.where} ${first})` };
    }
    this.seen.set(id, line);
    const { requirement, tier, model } = checked.item;
    return { line, item: new CheckedInput(id, requirement, tier, model) };
  }
}
