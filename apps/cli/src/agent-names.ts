import { readdir } from 'node:fs/promises';
import { AGENT_NAME_MAX } from '@agent-factory/core';

/**
 * Picks a free file name for each agent of a batch up front. writeAgent alone probes name, name-2,
 * name-3… with one open() each, which is quadratic when a batch has hundreds of agents of one name;
 * here each name's next suffix is remembered, so nearly every write succeeds at its first try.
 */
export class AgentNames {
  private readonly next = new Map<string, number>();

  private constructor(private readonly taken: Set<string>) {}

  static async in(folder: string): Promise<AgentNames> {
    const files = await readdir(folder).catch(() => [] as string[]);
    return new AgentNames(new Set(files.filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3))));
  }

  /** The name to write next for an agent called `name` (same suffix rule as writeAgent). */
  pick(name: string): string {
    for (let n = this.next.get(name) ?? 1; ; n++) {
      const suffix = `-${n}`;
      const candidate = n === 1 ? name : `${name.slice(0, AGENT_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
      if (this.taken.has(candidate)) continue;
      this.taken.add(candidate);
      this.next.set(name, n + 1);
      return candidate;
    }
  }
}
