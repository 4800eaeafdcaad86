import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FactoryInputError } from '../errors.js';

/** Whether `path` is `root` or below it; both absolute. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * The real path of `path`, whose tail may not exist yet (a folder the write will make): the nearest
 * existing ancestor's symlinks resolved, the missing rest appended.
 */
async function realpathOfNearest(path: string): Promise<string> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      return join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if (!isMissing(error) || dirname(current) === current) throw error;
      missing.push(basename(current));
    }
  }
}

/**
 * A caller's path resolved against the project folder (the MCP server's cwd), refused when it
 * leads outside it, lexically (`..`, an absolute path) or through a symlink: an MCP client (a
 * model) must not read or write the rest of the machine.
 */
export async function projectPath(root: string, path: string, what: string): Promise<string> {
  const resolved = resolve(root, path);
  const inside = isInside(root, resolved) && isInside(await realpath(root), await realpathOfNearest(resolved));
  if (!inside) {
    throw new FactoryInputError(`${what}: ${JSON.stringify(path)} is outside the project folder (${root}); this server only reads and writes inside the folder it was started in`);
  }
  return resolved;
}
