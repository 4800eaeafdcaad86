import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { LAYOUTS } from '@agent-factory/sdk/output';
import { Option } from 'commander';
import { UsageError } from './usage-error.js';

/** `--layout agents|plugin`, shared by every command that writes agents. */
export function layoutOption(): Option {
  return new Option('--layout <layout>', 'agents: <name>.md files in the folder; plugin: the folder becomes a Claude Code plugin (.claude-plugin/plugin.json plus agents/)')
    .choices(LAYOUTS)
    .default('agents');
}

/** Why a folder cannot be written, in words: errno codes mean little to a user. */
function unwritable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a file is in the way';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'no permission to write there';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The folder `--out` names, made now and checked writable, so a bad one is a usage error (exit 2)
 * before a batch is enqueued or run, not an errno message once it has finished.
 */
export async function writableFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--out ${dir}: cannot write there (${unwritable(error)})`);
  }
}
