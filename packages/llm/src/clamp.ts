import {
  AGENT_NAME_MAX, AGENT_NAME_PATTERN, clampTools, COLORS, parseAgentFile, renderAgentFile, renderOfflineAgent, trackingComment,
  EMPTY_RESEARCH, type GenerationRequest,
} from '@agent-factory/core';

const FENCE = /^\s*(```|~~~)/;
const TRACKING_LINE = /^[ \t]*<!--\s*agent-factory\b[^\n]*?-->[ \t]*$/gm;

/**
 * The agent file inside a model's answer: from the first `---` line on, without a preamble ("Here
 * is the agent:") or the code fence wrapped around it. A fence counts as the wrapper only when the
 * fences after the frontmatter do not pair up (the body's own code blocks always do).
 */
export function extractAgentFile(answer: string): string {
  const text = answer.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^---[ \t]*$/.test(l));
  if (start <= 0) return start === 0 ? text : text.trim();
  const wrapped = lines.slice(0, start).some((l) => FENCE.test(l));
  let body = lines.slice(start);
  if (wrapped) {
    const fences = body.map((l, i) => (FENCE.test(l) ? i : -1)).filter((i) => i >= 0);
    const last = fences[fences.length - 1];
    if (fences.length % 2 === 1 && last !== undefined && /^\s*(```|~~~)\s*$/.test(body[last] ?? '')) body = body.slice(0, last);
  }
  return `${body.join('\n').trim()}\n`;
}

/** A `tools` value as names: a comma string, or a YAML list (written by a model that ignored the rule). */
function toolNames(value: unknown): string[] {
  if (typeof value === 'string') return value.split(',').map((t) => t.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string').map((t) => t.trim());
  return [];
}

/** A quoted scalar without its quotes (JSON rules for double quotes, YAML's '' for single). */
function unquote(value: string): string {
  if (/^".*"$/.test(value)) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  return /^'.*'$/.test(value) ? value.slice(1, -1).replace(/''/g, "'") : value;
}

/**
 * Top-level `key: value` lines read without YAML's rules, for frontmatter that strict YAML rejects
 * (the classic unquoted ": " in a description). Safe because the frontmatter is re-rendered by
 * core with correct quoting; list items and indented continuation lines attach to the last key.
 */
export function lenientFrontmatter(yaml: string): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  let last: string | undefined;
  for (const line of yaml.split('\n')) {
    const field = /^([A-Za-z][\w-]*):(?:[ \t]+(.*))?$/.exec(line);
    if (field?.[1]) {
      last = field[1];
      const value = (field[2] ?? '').trim();
      fields.set(last, /^[>|][-+]?$/.test(value) ? '' : unquote(value));
      continue;
    }
    const item = /^\s+-\s+(.*)$/.exec(line);
    const previous = last === undefined ? undefined : fields.get(last);
    if (item?.[1] !== undefined && last !== undefined) {
      fields.set(last, [...(Array.isArray(previous) ? previous : []), unquote(item[1].trim())]);
    } else if (/^\s+\S/.test(line) && last !== undefined && typeof previous === 'string') {
      fields.set(last, `${previous} ${line.trim()}`.trim());
    }
  }
  return fields;
}

export interface ClampResult {
  /** The agent file the gates will judge. */
  content: string;
  /** What was changed to keep the file within the policy, for logs. */
  changes: string[];
  /** False when the frontmatter was unreadable and the text is passed on as it came. */
  rewritten: boolean;
}

/**
 * The policy applied to whatever the model wrote: tools cut to the granted ones (the policy's when
 * none survive), permissionMode only the policy's, the plan's agent model, a name that follows the
 * name rule, the exact tracking comment last. The frontmatter is re-rendered by core, so quoting is
 * always safe. A file whose frontmatter does not parse is left as it is: the gates reject it and the
 * pipeline regenerates, so nothing unclamped is ever kept.
 */
export function clampAgentFile(answer: string, request: GenerationRequest): ClampResult {
  const text = extractAgentFile(answer);
  const file = parseAgentFile(text);
  const fm = file.frontmatter;
  const changes: string[] = [];
  let fields = new Map([...fm.fields].map(([key, f]) => [key, f.value]));
  if (fm.status === 'ok' && fm.yamlErrors.length > 0) {
    fields = lenientFrontmatter(file.text.split('\n').slice(fm.startLine, fm.endLine - 1).join('\n'));
    changes.push(`frontmatter repaired: ${fm.yamlErrors[0]?.message ?? 'not strict YAML'}`);
  }
  const description = fields.get('description');
  if (fm.status !== 'ok' || fm.notMapping || typeof description !== 'string' || description.trim() === '') {
    return { content: text, changes: ['frontmatter unreadable: left for the gates'], rewritten: false };
  }
  const { policy, complexity, analysis } = request;
  const field = (key: string): unknown => fields.get(key);

  const written = toolNames(field('tools'));
  let tools = clampTools(written, policy);
  const dropped = written.filter((t) => !tools.includes(t));
  if (dropped.length > 0) changes.push(`tools outside the policy removed: ${dropped.join(', ')}`);
  if (tools.length === 0) {
    if (written.length > 0) changes.push('no granted tool left: the policy\'s tools written');
    tools = policy.tools;
  }

  const mode = field('permissionMode');
  const permissionMode = policy.permissionMode === 'default' ? undefined : policy.permissionMode;
  if (mode !== undefined && mode !== permissionMode) changes.push(`permissionMode ${String(mode)} replaced by the policy's (${permissionMode ?? 'none'})`);

  if (field('model') !== complexity.model) changes.push(`model ${String(field('model'))} replaced by ${complexity.model}`);

  const writtenName = field('name');
  let name: string;
  if (typeof writtenName === 'string' && AGENT_NAME_PATTERN.test(writtenName) && writtenName.length <= AGENT_NAME_MAX) {
    name = writtenName;
  } else {
    name = renderOfflineAgent({ ...request, research: EMPTY_RESEARCH }).name;
    changes.push(`name ${JSON.stringify(writtenName) ?? 'missing'} breaks the name rule: ${name} written`);
  }

  const color = field('color');
  const keptColor = typeof color === 'string' && (COLORS as readonly string[]).includes(color) ? color : undefined;
  const extra = [...fields.keys()].filter((k) => !['name', 'description', 'tools', 'model', 'permissionMode', 'color'].includes(k));
  if (extra.length > 0) changes.push(`fields dropped: ${extra.join(', ')}`);

  // The hash in the tracking comment is ours to compute, not the model's to copy.
  const body = file.body.replace(TRACKING_LINE, '').trimEnd();
  const content = renderAgentFile(
    {
      name,
      description: description.replace(/\s+/g, ' ').trim(),
      tools: tools.join(', '),
      model: complexity.model,
      ...(permissionMode ? { permissionMode } : {}),
      ...(keptColor ? { color: keptColor } : {}),
    },
    `${body}\n\n${trackingComment(analysis.requirement, complexity.tier)}`,
  );
  return { content, changes, rewritten: true };
}
