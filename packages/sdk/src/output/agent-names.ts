import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_NAME_MAX, AGENT_NAME_PATTERN, declaredName, parseAgentFile } from '@agent-factory/core';
import { contentHash } from './content-hash.js';

/** Files read at once when reading a folder's agents: a folder may hold thousands. */
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

/** What the folder's existing agent files are: each one's content hash (none when unreadable), and the other names they declare. */
interface Existing {
  hashes: Map<string, string | undefined>;
  declared: string[];
}

/**
 * The name an agent file declares in its frontmatter, when it may differ from its file name. Claude
 * Code knows an agent by its `name:`, not its file name, so `reviewer.md` saying `name: code-reviewer`
 * takes code-reviewer too. A file that starts the way we write them (`name: <its valid file name>`,
 * the next line not a continuation) declares that name or, its YAML broken, none: it takes nothing
 * more, so it is not parsed (parsing was most of the cost of reading a folder of our own agents).
 */
function otherDeclaredName(file: string, text: string): string | undefined {
  const head = `---\nname: ${file}\n`;
  if (AGENT_NAME_PATTERN.test(file) && text.startsWith(head) && !/[ \t]/.test(text.charAt(head.length))) return undefined;
  return declaredName(parseAgentFile(text))?.name;
}

/** Each file read once, a few at a time: a folder may hold tens of thousands, and none is kept. */
async function existingIn(folder: string, names: readonly string[]): Promise<Existing> {
  const existing: Existing = { hashes: new Map(), declared: [] };
  for (let i = 0; i < names.length; i += READ_BATCH) {
    const batch = names.slice(i, i + READ_BATCH);
    const texts = await Promise.all(batch.map(async (n) => readFile(join(folder, `${n}.md`), 'utf8').catch(() => undefined)));
    batch.forEach((name, j) => {
      const text = texts[j];
      existing.hashes.set(name, text === undefined ? undefined : contentHash(text));
      const declared = text === undefined ? undefined : otherDeclaredName(name, text);
      if (declared !== undefined && declared !== name) existing.declared.push(declared);
    });
  }
  return existing;
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
  /** Per name, the first suffix whose earlier file is not reused yet. */
  private readonly unreusedFrom = new Map<string, number>();

  private constructor(
    private readonly taken: Set<string>,
    /** The folder's earlier files by name, each as its content's hash: all identity needs of them. */
    private readonly existing: ReadonlyMap<string, string | undefined>,
  ) {}

  /** The names the folder's `*.md` files already have, by file name or by their frontmatter's `name:`. */
  static async in(folder: string): Promise<AgentNames> {
    const names = await agentNamesIn(folder);
    const { hashes, declared } = await existingIn(folder, names);
    return new AgentNames(new Set([...names, ...declared]), hashes);
  }

  /** Whether the folder's earlier file `name` held exactly `content` when it was read. */
  held(name: string, content: string): boolean {
    const hash = this.existing.get(name);
    return hash !== undefined && hash === contentHash(content);
  }

  /** The folder's earlier files an agent called `name` may already be (`name`, `name-2`…), not yet reused. */
  *earlier(name: string): Generator<string> {
    // Collected again, a name's files are reused in order: skip those once, not at every agent of the name.
    let from = this.unreusedFrom.get(name) ?? 1;
    while (this.reused.has(suffixedName(name, from))) from++;
    this.unreusedFrom.set(name, from);
    for (let n = from; this.existing.has(suffixedName(name, n)); n++) {
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
