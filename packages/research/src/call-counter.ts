/** Calls of one (tool, library, query) triple. */
export interface CountedCall {
  tool: string;
  library: string;
  query: string;
  calls: number;
}

/** What a docs server has answered so far: the duplicate-research detector reads `duplicates`. */
export interface CallCounts {
  total: number;
  /** Distinct (tool, library, query) triples. */
  distinct: number;
  byTool: Record<string, number>;
  /** Triples called more than once, most called first. */
  duplicates: CountedCall[];
  calls: CountedCall[];
}

/** Counts tool calls per (tool, library, query), so "calls == distinct pairs" can be proven. */
export class CallCounter {
  private readonly counts = new Map<string, CountedCall>();

  count(tool: string, library: string, query: string): void {
    const key = JSON.stringify([tool, library, query]);
    const entry = this.counts.get(key);
    if (entry) entry.calls++;
    else this.counts.set(key, { tool, library, query, calls: 1 });
  }

  snapshot(): CallCounts {
    const calls = [...this.counts.values()].map((c) => ({ ...c }));
    const byTool: Record<string, number> = {};
    let total = 0;
    for (const c of calls) {
      byTool[c.tool] = (byTool[c.tool] ?? 0) + c.calls;
      total += c.calls;
    }
    const duplicates = calls.filter((c) => c.calls > 1).sort((x, y) => y.calls - x.calls);
    return { total, distinct: calls.length, byTool, duplicates, calls };
  }

  /** One log line's worth: totals and the duplicates, not every triple. */
  summary(): Omit<CallCounts, 'calls'> {
    const { calls: _calls, ...rest } = this.snapshot();
    return rest;
  }
}
