import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { withAgentName } from '@agent-factory/core';
import { AgentNames, agentNamesIn } from './agent-names.js';
import { folderDiff } from './folder-diff.js';
import { agentsFolder, PLUGIN_MANIFEST, type Layout } from './layout.js';
import { parsePluginManifest, pluginManifest, renderPluginManifest, type PluginManifest } from './plugin-manifest.js';
import { writeAgent, type WrittenAgent } from './write-agent.js';

export interface OutputFolderOptions {
  layout?: Layout;
  /**
   * An agent whose file the folder has already, byte for byte (the same batch collected again), is
   * that file: no `name-2.md` copy. Off for `generate`, where a second run means a second file.
   */
  reuseIdentical?: boolean;
  /** Write into a scratch copy instead, and report the diff of what would change. */
  dryRun?: boolean;
  /**
   * Dry run: takes the diff one file's patch at a time, in file order, as `finish` makes it, instead
   * of `finish` returning it whole (a batch's diff can run to hundreds of MB).
   */
  onDiff?: (patch: string) => Promise<void>;
}

/** What finishing a folder changed (or, in a dry run, would change). */
export interface FolderChanges {
  /** The files written (or that would be), as paths in the real folder. */
  files: string[];
  /** Dry run without `onDiff`: the unified diff of every change; empty when nothing would change. */
  diff?: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * An output folder Claude Code loads as it is: agent files under names unique across the folder
 * (the existing files are read first), plus `.claude-plugin/plugin.json` in the plugin layout.
 * A dry run writes the same files into a scratch folder and turns them into a diff on finish,
 * so both paths share every decision and the real folder is never touched.
 */
export class OutputFolder {
  private readonly files: string[] = [];

  private constructor(
    /** The real folder. */
    readonly root: string,
    readonly layout: Layout,
    /** Where files are written now: the real folder, or the dry run's scratch copy. */
    private readonly target: string,
    private readonly names: AgentNames,
    /** The plugin layout's plugin.json as it was, read up front so a broken one stops us before any write. */
    private readonly manifest: PluginManifest | undefined,
    private readonly reuseIdentical: boolean,
    private readonly onDiff: ((patch: string) => Promise<void>) | undefined,
  ) {}

  static async open(dir: string, options: OutputFolderOptions = {}): Promise<OutputFolder> {
    const root = resolve(dir);
    const layout = options.layout ?? 'agents';
    const manifestPath = join(root, PLUGIN_MANIFEST);
    const text = layout === 'plugin' ? await readOptional(manifestPath) : undefined;
    const manifest = text === undefined ? undefined : parsePluginManifest(text, manifestPath);
    const names = await AgentNames.in(join(root, agentsFolder(layout)));
    const target = options.dryRun ? await mkdtemp(join(tmpdir(), 'af-dry-run-')) : root;
    await mkdir(join(target, agentsFolder(layout)), { recursive: true });
    return new OutputFolder(root, layout, target, names, manifest, options.reuseIdentical === true, options.onDiff);
  }

  get dryRun(): boolean {
    return this.target !== this.root;
  }

  /** Where a file of the folder (`index.json`) is written now; report `pathOf` to users. */
  writePath(rel: string): string {
    this.files.push(join(this.root, rel));
    return join(this.target, rel);
  }

  /** A file's path in the real folder. */
  pathOf(rel: string): string {
    return join(this.root, rel);
  }

  /**
   * Writes an agent under its name, or the next free suffix (`name-2`, in its `name:` too) when the
   * folder has one of that name already, unless `force` overwrites it. Returns its real path.
   */
  async addAgent(name: string, content: string, options: { force?: boolean } = {}): Promise<WrittenAgent> {
    if (this.reuseIdentical && !options.force) {
      const same = this.identicalFile(name, content);
      if (same) return same;
    }
    const chosen = options.force ? name : this.names.pick(name);
    const folder = agentsFolder(this.layout);
    // writeAgent still refuses to overwrite, so a writer racing us on the same name gets a suffix, not our file.
    const written = await writeAgent(join(this.target, folder), chosen, chosen === name ? content : withAgentName(content, chosen), options);
    const path = join(this.root, folder, `${written.name}.md`);
    this.files.push(path);
    return { path, name: written.name };
  }

  /** The folder's earlier file with exactly this agent (under its name or a suffix), now this run's. */
  private identicalFile(name: string, content: string): WrittenAgent | undefined {
    for (const candidate of this.names.earlier(name)) {
      if (!this.names.held(candidate, candidate === name ? content : withAgentName(content, candidate))) continue;
      this.names.reuse(candidate);
      return { path: join(this.root, agentsFolder(this.layout), `${candidate}.md`), name: candidate, unchanged: true };
    }
    return undefined;
  }

  /** Writes the plugin manifest (plugin layout) and, in a dry run, turns the scratch copy into a diff (to `onDiff`, or returned). */
  async finish(): Promise<FolderChanges> {
    try {
      if (this.layout === 'plugin') await this.writeManifest();
      if (!this.dryRun) return { files: this.files };
      const patches = folderDiff(this.target, this.root);
      if (this.onDiff) {
        for await (const patch of patches) await this.onDiff(patch);
        return { files: this.files };
      }
      const diff: string[] = [];
      for await (const patch of patches) diff.push(patch);
      return { files: this.files, diff: diff.join('') };
    } finally {
      if (this.dryRun) await rm(this.target, { recursive: true, force: true });
    }
  }

  /** Cleans up without finishing (a dry run's scratch copy); the files already written stay. */
  async abandon(): Promise<void> {
    if (this.dryRun) await rm(this.target, { recursive: true, force: true });
  }

  private async writeManifest(): Promise<void> {
    const folder = agentsFolder(this.layout);
    const agents = new Set([...(await agentNamesIn(join(this.root, folder))), ...(await agentNamesIn(join(this.target, folder)))]);
    const manifest = pluginManifest(this.manifest, this.root, [...agents]);
    // Unchanged in meaning: the user's file stays as they formatted it.
    if (JSON.stringify(manifest) === JSON.stringify(this.manifest)) return;
    const text = renderPluginManifest(manifest);
    const path = join(this.target, PLUGIN_MANIFEST);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    this.files.push(join(this.root, PLUGIN_MANIFEST));
  }
}
