import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_NAME_MAX, declaredName, parseAgentFile } from '@agent-factory/core';

/** Files read at once when collecting declared names: a folder may hold thousands. */
const READ_BATCH = 32;

/** The n-th name for an agent called `name` (`name`, `name-2`, `name-3`…), cut to fit the name limit. */
export function suffixedName(name: string, n: number): string {
  if (n === 1) return name;
  const suffix = `-${n}`;
  return `${name.slice(0, AGENT_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The names of a folder's agent files (`*.md`); none when the folder does not exist. */
export async function agentNamesIn(folder: string): Promise<string[]> {
  const files = await readdir(folder).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
}

/**
 * The names the agent files (`*.md`) declare in their frontmatter. Claude Code knows an agent by its
 * `name:`, not its file name, so `reviewer.md` saying `name: code-reviewer` takes code-reviewer too.
 */
async function declaredNamesIn(folder: string, files: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < files.length; i += READ_BATCH) {
    const texts = await Promise.all(files.slice(i, i + READ_BATCH).map(async (f) => readFile(join(folder, f), 'utf8').catch(() => '')));
    for (const text of texts) {
      const declared = declaredName(parseAgentFile(text));
      if (declared) names.push(declared.name);
    }
  }
  return names;
}

/**
 * Picks a free file name for each agent of a batch up front. writeAgent alone probes name, name-2,
 * name-3… with one open() each, which is quadratic when a batch has hundreds of agents of one name;
 * here each name's next suffix is remembered, so nearly every write succeeds at its first try.
 */
export class AgentNames {
  private readonly next = new Map<string, number>();
  /** Files that were in the folder before, reused by this run for identical content (each once). */
  private readonly reused = new Set<string>();

  private constructor(
    private readonly taken: Set<string>,
    private readonly existing: ReadonlySet<string>,
  ) {}

  /** The names the folder's `*.md` files already have, by file name or by their frontmatter's `name:`. */
  static async in(folder: string): Promise<AgentNames> {
    const names = await agentNamesIn(folder);
    const declared = await declaredNamesIn(folder, names.map((n) => `${n}.md`));
    return new AgentNames(new Set([...names, ...declared]), new Set(names));
  }

  /** The folder's earlier files an agent called `name` may already be (`name`, `name-2`…), not yet reused. */
  *earlier(name: string): Generator<string> {
    for (let n = 1; this.existing.has(suffixedName(name, n)); n++) {
      const candidate = suffixedName(name, n);
      if (!this.reused.has(candidate)) yield candidate;
    }
  }

  reuse(name: string): void {
    this.reused.add(name);
  }

  /** The name to write next for an agent called `name`. */
  pick(name: string): string {
    for (let n = this.next.get(name) ?? 1; ; n++) {
      const candidate = suffixedName(name, n);
      if (this.taken.has(candidate)) continue;
      this.taken.add(candidate);
      this.next.set(name, n + 1);
      return candidate;
    }
  }
}
