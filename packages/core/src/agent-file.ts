import { sha256Hex } from './sha256.js';
import { GENERATOR_VERSION } from './version.js';

/** Frontmatter fields the factory writes, in the order it writes them. */
export interface AgentFrontmatter {
  name: string;
  description: string;
  tools: string;
  model: string;
  permissionMode?: string;
  color?: string;
}

/** The last requirement hashed: the generator and gate 4 hash the same one back to back. */
let lastHashed: { requirement: string; hash: string } | undefined;

/** A short, stable hash of a requirement, for tracking and cache keys. */
export function requirementHash(requirement: string): string {
  if (lastHashed?.requirement === requirement) return lastHashed.hash;
  const hash = sha256Hex(requirement.normalize('NFC').trim()).slice(0, 16);
  lastHashed = { requirement, hash };
  return hash;
}

/** The trailing comment that makes an agent traceable to its generator and requirement. */
export function trackingComment(requirement: string, tier: string): string {
  return `<!-- agent-factory ${GENERATOR_VERSION} · requirement sha256:${requirementHash(requirement)} · tier ${tier} -->`;
}

/** Matches the tracking comment (gate 4, Trackable). */
export const TRACKING_COMMENT_PATTERN = /<!-- agent-factory (\S+) · requirement sha256:([0-9a-f]{16}) · tier (\w+) -->\s*$/;
const TRACKING_COMMENT_AT = new RegExp(TRACKING_COMMENT_PATTERN.source, 'y');
const TRACKING_COMMENT_START = '<!-- agent-factory ';

/**
 * TRACKING_COMMENT_PATTERN's match in a text, found without scanning the whole file: a match can
 * only start at the last "<!-- agent-factory " (the comment holds no other, and only whitespace
 * may follow it).
 */
export function findTrackingComment(text: string): RegExpExecArray | null {
  const at = text.lastIndexOf(TRACKING_COMMENT_START);
  if (at === -1) return null;
  TRACKING_COMMENT_AT.lastIndex = at;
  return TRACKING_COMMENT_AT.exec(text);
}

/** Text that YAML reads back as the same plain string: no indicators, no `: `, no ` #`, no line breaks. */
const SAFE_PLAIN = /^[\p{L}\p{N}][\p{L}\p{N} .,;()'/+\-—!?&%@*"]*$/u;

/**
 * One frontmatter value. Anything that is not safely plain is written double-quoted: a JSON string
 * is a valid YAML double-quoted scalar, so a `: ` in a description can never break the file.
 */
function scalar(value: string): string {
  return SAFE_PLAIN.test(value) && !value.endsWith(' ') && !/^(?:true|false|null|yes|no|on|off|~)$/i.test(value) && !/^[\d.+-]+$/.test(value)
    ? value
    : JSON.stringify(value);
}

/** Renders an agent file: strict-YAML frontmatter, LF endings, no BOM. */
export function renderAgentFile(frontmatter: AgentFrontmatter, body: string): string {
  const yaml = Object.entries(frontmatter)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}: ${scalar(value)}\n`)
    .join('');
  return `---\n${yaml}---\n\n${body.replace(/\r\n?/g, '\n').trim()}\n`;
}

/** The same agent file under another name (the first `name:` line of the frontmatter). */
export function withAgentName(content: string, name: string): string {
  return content.replace(/^name:.*$/m, `name: ${name}`);
}
