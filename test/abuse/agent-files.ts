import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { AgentModelSchema, planRequirement } from '@agent-factory/core';
import { RESERVED_FILE_NAMES } from './injections.js';

/** The frontmatter keys the factory writes (AgentFrontmatter): the first four always, the rest maybe. */
const REQUIRED_KEYS = ['name', 'description', 'tools', 'model'];
const OPTIONAL_KEYS = ['permissionMode', 'color'];

/** Every file under `root`, recursively (symlinks listed, not followed). */
export async function walkFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) found.push(...(await walkFiles(path)));
    else found.push(path);
  }
  return found;
}

/**
 * What is wrong with one written agent file for `requirement`, or [] when nothing is: it lies directly
 * in `out` (after resolving links), has a safe name, strict-YAML frontmatter with only the factory's
 * keys, and tools and permissionMode within what the requirement's plan grants.
 */
export async function agentFileProblems(path: string, out: string, requirement: string): Promise<string[]> {
  const problems: string[] = [];
  const real = await realpath(path);
  if (dirname(real) !== (await realpath(out))) problems.push(`${real} is not directly in ${out}`);
  const file = basename(real);
  if (!/^[a-z0-9-]+\.md$/.test(file)) problems.push(`unsafe file name ${JSON.stringify(file)}`);
  if (RESERVED_FILE_NAMES.test(file.slice(0, -3))) problems.push(`reserved file name ${file}`);

  const text = await readFile(real, 'utf8');
  const block = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!block) return [...problems, 'no frontmatter block at the start'];
  let frontmatter: Record<string, unknown>;
  try {
    const parsed: unknown = parse(block[1] ?? '', { strict: true, uniqueKeys: true });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [...problems, 'frontmatter is not a mapping'];
    frontmatter = parsed as Record<string, unknown>;
  } catch (error) {
    return [...problems, `frontmatter is not strict YAML: ${(error as Error).message}`];
  }
  const keys = Object.keys(frontmatter);
  const missing = REQUIRED_KEYS.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !REQUIRED_KEYS.includes(k) && !OPTIONAL_KEYS.includes(k));
  if (missing.length > 0 || extra.length > 0) problems.push(`frontmatter keys ${keys.join(', ')} (missing ${missing.join(', ')}; extra ${extra.join(', ')})`);
  for (const [key, value] of Object.entries(frontmatter)) if (typeof value !== 'string') problems.push(`${key} is not a string: ${JSON.stringify(value)}`);
  if (frontmatter['name'] !== file.slice(0, -3)) problems.push(`name ${JSON.stringify(frontmatter['name'])} differs from the file name ${file}`);
  if (typeof frontmatter['description'] === 'string' && /[\r\n]/.test(frontmatter['description'])) problems.push('the description spans lines');
  if (!AgentModelSchema.safeParse(frontmatter['model']).success) problems.push(`model ${JSON.stringify(frontmatter['model'])}`);

  // The policy the analysis alone grants; the requirement's words must not widen it.
  const { policy } = planRequirement({ requirement });
  const tools = String(frontmatter['tools'] ?? '').split(',').map((t) => t.trim());
  const granted = tools.filter((t) => !policy.tools.includes(t));
  if (granted.length > 0) problems.push(`tools beyond the policy (${policy.tools.join(', ')}): ${granted.join(', ')}`);
  const mode = frontmatter['permissionMode'];
  if (mode !== undefined && mode !== policy.permissionMode) problems.push(`permissionMode ${String(mode)}, the policy says ${policy.permissionMode}`);
  // Nowhere in the file, frontmatter or body, may a line set these.
  if (/^\s*permissionMode\s*:\s*bypassPermissions/im.test(text)) problems.push('a line sets permissionMode: bypassPermissions');
  if (/^\s*tools\s*:\s*["']?\*/im.test(text)) problems.push('a line sets tools: *');
  return problems;
}
