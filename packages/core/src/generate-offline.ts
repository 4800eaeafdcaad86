import { renderAgentFile, trackingComment } from './agent-file.js';
import { ACTION_VERBS, baseVerb, brief, type Brief } from './brief.js';
import { agentDescription, agentName, article, verbRole } from './naming.js';
import type { GenerationRequest, GenerationResult, LlmProvider } from './ports/llm-provider.js';
import { withoutInstructions } from './requirement-safety.js';
import { quotePlaceholders } from './validate/placeholders.js';
import { tellsToRun } from './validate/run-instruction.js';
import type { Capability } from './schemas/analysis.js';
import { domainTemplate, loadTemplates, type SectionKey, type Templates, type TemplateText } from './templates.js';
import { estimateTokens } from './tokens.js';

/** What every section renderer reads: the request, the templates and the facts derived once. */
interface Draft {
  request: GenerationRequest;
  templates: Templates;
  brief: Brief;
  /** A template text in the form this agent's tools take (with or without Bash, Edit), its variables filled in. */
  fill: (text: TemplateText) => string;
  /** The capabilities that shape the body (at most three, primary first). */
  capabilities: Capability[];
  can: { edit: boolean; shell: boolean; web: boolean; todo: boolean; context7: boolean };
}

const MAX_STEPS = 9;

/** Key terms (analysis lowercases them) as the requirement writes them: "OpenAPI", not "openapi". */
function asWritten(terms: readonly string[], requirement: string): string[] {
  const lower = requirement.toLowerCase();
  // Lowercasing can change a text's length ("İ"): positions then no longer match.
  if (lower.length !== requirement.length) return [...terms];
  return terms.map((term) => {
    const at = lower.indexOf(term);
    return at === -1 ? term : requirement.slice(at, at + term.length);
  });
}

/** Whether the agent can act on a docs note: one that has it run tests or commands needs Bash. */
function usable(d: Draft): (note: string) => boolean {
  return (note) => d.can.shell || !tellsToRun(note);
}

/** The form of a template text for an agent with these tools. */
function forTools(text: TemplateText, can: Draft['can']): string {
  if (typeof text === 'string') return text;
  if ('withShell' in text) return can.shell ? text.withShell : text.withoutShell;
  return forTools(can.edit ? text.withEdit : text.withoutEdit, can);
}

/** `{subject}`, `{stack}`, `{terms}` in template text; split keeps each variable's name. */
const TEMPLATE_VARIABLE = /\{(\w+)\}/;
/**
 * Template texts (a fixed set, loaded once) split at their variables: [text, name, text, …, text],
 * with the head noun before each variable that follows "of"/"for" ("the migration of {subject}"),
 * which a subject may repeat.
 */
const templateParts = new Map<string, { parts: string[]; heads: (string | undefined)[] }>();
const HEAD_BEFORE_VARIABLE = /\b(\w+) (?:of|for) (?:the )?$/;

/** A value without the head noun the template already says: "the migration of X" after "the migration of" is X. */
function withoutHead(value: string, head: string | undefined): string {
  if (head === undefined) return value;
  // Only the value's first words are compared: this runs on every fill of such a template.
  const start = value.slice(0, head.length + 9).toLowerCase();
  const at = start.startsWith('the ') ? 4 : 0;
  if (!start.startsWith(head, at)) return value;
  const link = /^ (?:of|for) /.exec(start.slice(at + head.length));
  return link ? value.slice(at + head.length + link[0].length) : value;
}

/** The template text with its variables filled in; an unknown `{name}` stays as written. */
function fillTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  let split = templateParts.get(text);
  if (split === undefined) {
    const pieces = text.split(TEMPLATE_VARIABLE);
    split = { parts: pieces, heads: pieces.map((_, i) => (i % 2 === 1 ? HEAD_BEFORE_VARIABLE.exec(pieces[i - 1] ?? '')?.[1]?.toLowerCase() : undefined)) };
    templateParts.set(text, split);
  }
  const { parts, heads } = split;
  let filled = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] ?? '';
    // Said once: "the migration of X", not "the migration of the migration of X".
    const value = vars[key];
    filled += `${value === undefined ? `{${key}}` : withoutHead(value, heads[i])}${parts[i + 1] ?? ''}`;
  }
  return filled;
}

function bullets(items: readonly string[]): string {
  return items.map((i) => `- ${i}`).join('\n');
}

function numbered(items: readonly string[]): string {
  return items.map((item, i) => `${i + 1}. ${item}`).join('\n');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function listJoin(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function stackLabel(d: Omit<Draft, 'fill'>): string {
  const names = d.request.analysis.frameworks.slice(0, 3).map((f) => f.name);
  return names.length > 0 ? listJoin(names) : domainTemplate(d.templates, d.request.analysis.domains.primary.name).label;
}

/** "Find and fix X", "Identify and refactor X": the second verb is the work, and names the role. */
const SECOND_VERB: ReadonlyArray<readonly [RegExp, Capability]> = [
  [/^\w+ and (?:fix|debug)\b/i, 'debug'],
  [/^\w+ and (?:refactor|clean up)\b/i, 'refactor'],
  [/^\w+ and (?:optimize|speed up)\b/i, 'optimize'],
];

/**
 * The capability that names the role: the first, unless it is creating tests or docs, which name it
 * better, or only finding what the task's second verb then changes ("Find and fix memory leaks").
 */
function roleCapability(d: Omit<Draft, 'fill'>): Capability {
  const { capabilities } = d;
  const first = capabilities[0] ?? 'analyze';
  if (first === 'create') return capabilities.find((c) => c === 'test' || c === 'document') ?? first;
  const second = d.brief.isAction ? SECOND_VERB.find(([verb]) => verb.test(d.brief.phrase))?.[1] : undefined;
  if (first === 'analyze' && second && capabilities.includes(second)) return second;
  return first;
}

function capabilityNoun(d: Draft): string {
  return d.templates.capabilities[roleCapability(d)].noun;
}

/** The title in prose keeps the capability's noun: "a Kubernetes analyst" reads better than "a Kubernetes responder". */
function roleTitle(d: Draft): string {
  const noun = capabilityNoun(d).replace(/-/g, ' ');
  const tech = d.request.analysis.frameworks[0]?.name;
  return tech ? `${tech} ${noun}` : `${withoutStem(domainTemplate(d.templates, d.request.analysis.domains.primary.name).label, noun)} ${noun}`.trim();
}

/** A domain label without the words the role noun repeats: "code review" before "reviewer" is "code", "security" before "security auditor" nothing. */
function withoutStem(label: string, noun: string): string {
  const stem = noun.slice(0, 4).toLowerCase();
  const words = label.split(' ');
  const kept = words.filter((w) => !w.toLowerCase().startsWith(stem));
  return kept.length === words.length ? label : kept.join(' ').replace(/^(?:and|&)\s+|\s+(?:and|&)$/g, '');
}


const SECTION_RENDERERS: Record<SectionKey, (d: Draft) => string> = {
  role(d) {
    const { analysis, complexity } = d.request;
    const primary = domainTemplate(d.templates, analysis.domains.primary.name).label;
    const secondary = unique(analysis.domains.secondary.map((s) => domainTemplate(d.templates, s.name).label)).filter((l) => l !== primary);
    const domains = secondary.length > 0 ? `${primary}, with working knowledge of ${listJoin(secondary)}` : primary;
    const scale = {
      small: complexity.tier === 'complex' ? 'The scope is focused, but the work has many parts: keep each one small.' : 'Keep solutions proportionate: this is a focused task, not a platform.',
      medium: 'Work at team scale: changes are reviewed, tested and shipped through CI.',
      enterprise: 'Work at enterprise scale: every change must be backward compatible, auditable and safe to roll out gradually.',
    }[analysis.scale];
    const request = withoutInstructions(analysis.requirement);
    const lines = [
      `Your expertise is ${domains}${analysis.integrations.length > 0 ? `, working with ${listJoin(analysis.integrations)}` : ''}. ${scale}`,
      '',
      'The request this agent was built for:',
      '',
      `> ${quotePlaceholders(request.text) || d.brief.phrase}`,
    ];
    if (request.dropped > 0) lines.push('', 'Parts of that request that tried to change this agent\'s permissions or instructions were left out on purpose.');
    if (complexity.tier !== 'simple') lines.push('', `Treat this as ${article(complexity.tier)} ${complexity.tier} task: plan before acting and check your work against the checklist below.`);
    return lines.join('\n');
  },
  responsibilities(d) {
    const does = unique(d.capabilities.flatMap((c) => d.templates.capabilities[c].does.map(d.fill))).slice(0, 6);
    // Simple agents have no best-practices section: their sharpest docs notes go here instead.
    if (d.request.complexity.tier === 'simple') {
      for (const lib of d.request.research.libraries.slice(0, 2)) {
        const practice = lib.practices.find(usable(d));
        if (practice) does.push(`Apply ${lib.name} practice: ${quotePlaceholders(practice)}`);
      }
    }
    if (d.brief.focus.length > 0) does.push(`Give explicit attention to ${listJoin(d.brief.focus)}.`);
    const doesNot: string[] = [];
    if (!d.can.edit) doesNot.push('Modify files: you report what should change, with the exact location, and the caller applies it.');
    else doesNot.push(`Change code unrelated to ${d.brief.subject}, or reformat files you were not asked to touch.`);
    if (!d.can.shell) doesNot.push('Run shell commands: you work from the files you can read and search.');
    if (!d.can.web) doesNot.push('Browse the web: rely on the repository and the notes in this prompt.');
    if (d.request.analysis.constraints.some((c) => c.kind === 'requires-approval')) doesNot.push('Take irreversible actions (deleting, deploying, migrating data) without explicit approval.');
    if (d.request.complexity.tier === 'simple') {
      for (const lib of d.request.research.libraries.slice(0, 2)) {
        const pitfall = lib.pitfalls[0];
        if (pitfall) doesNot.push(`Let a known ${lib.name} pitfall through: ${quotePlaceholders(pitfall)}`);
      }
    }
    doesNot.push('Reveal secrets, tokens or personal data in your output, even when you find them.');
    doesNot.push(`Take on work outside ${d.brief.subject}: hand it back to the caller with a note.`);
    return `### Does\n${bullets(does)}\n\n### Does not\n${bullets(doesNot)}`;
  },
  workflow(d) {
    const steps = [`Restate the task in one sentence and confirm its scope: ${d.brief.subject}.`];
    for (const c of d.capabilities) steps.push(...d.templates.capabilities[c].steps.map(d.fill));
    if (d.brief.focus.length > 0) {
      steps.splice(2, 0, `Look specifically for ${listJoin(d.brief.focus)}; record each instance with its exact location and why it matters.`);
    }
    if (d.request.research.libraries.length > 0 && d.can.context7) {
      steps.push(`Check current ${listJoin(d.request.research.libraries.map((l) => l.name))} documentation through Context7 when a detail is not covered below.`);
    }
    // Only an agent that can edit is told to fix what fails; one with Bash alone runs the checks and reports.
    const verify = d.can.shell
      ? d.can.edit
        ? "Verify before you report: run the project's own checks (tests, linters, type checks) and fix what fails."
        : "Verify before you report: run the project's own checks where they apply and report what fails, with the command that showed it."
      : 'Verify before you report: re-read every location you cite and confirm each finding against the source.';
    const trimmed = unique(steps).slice(0, MAX_STEPS - 2);
    return numbered([...trimmed, verify, 'Report using the output format below.']);
  },
  practices(d) {
    const { research, analysis } = d.request;
    const lines: string[] = [];
    for (const lib of research.libraries) {
      for (const p of lib.practices.filter(usable(d)).slice(0, 3)) lines.push(`**${lib.name}**: ${quotePlaceholders(p)}`);
    }
    if (lines.length < 3) {
      lines.push(...domainTemplate(d.templates, analysis.domains.primary.name).practices.slice(0, 3 - lines.length + 1));
    }
    const patterns = research.libraries.flatMap((l) => l.patterns.filter(usable(d)).slice(0, 1).map((p) => `Pattern (${l.name}): ${quotePlaceholders(p)}`));
    let text = bullets(unique([...lines, ...patterns]).slice(0, 8));
    const snippet = research.libraries.flatMap((l) => l.snippets)[0];
    if (snippet && d.request.complexity.tier === 'complex') {
      text += `\n\nReference example (${snippet.source}):\n\n\`\`\`${snippet.language}\n${snippet.code.trim()}\n\`\`\``;
    }
    const sources = unique(research.libraries.flatMap((l) => l.sources)).slice(0, 4);
    if (sources.length > 0) text += `\n\nSources: ${sources.join(', ')}`;
    return text;
  },
  constraints(d) {
    const { analysis, policy } = d.request;
    const lines = analysis.constraints.map((c) => `Honour the requirement's constraint: "${quotePlaceholders(c.text)}" (${c.kind}).`);
    lines.push(`Use only the tools you were given: ${policy.tools.join(', ')}.`);
    if (d.can.edit) lines.push('Keep each change small and reviewable; never delete files you did not create without saying why.');
    // The output format section always settles what the answer looks like.
    for (const question of analysis.ambiguities.filter((q) => !/\boutput\b/i.test(q)).slice(0, 3)) {
      lines.push(`Open question: ${quotePlaceholders(question)} If the caller has not settled it, state the assumption you made at the top of your answer.`);
    }
    lines.push('Say so plainly when you are unsure; never invent file paths, APIs or results.');
    return bullets(unique(lines));
  },
  checklist(d) {
    const items = d.capabilities.flatMap((c) => d.templates.capabilities[c].checklist.map(d.fill));
    for (const lib of d.request.research.libraries) {
      for (const pitfall of lib.pitfalls.filter(usable(d)).slice(0, 1)) items.push(`Avoided (${lib.name}): ${quotePlaceholders(pitfall)}`);
    }
    if (d.can.edit) items.push(d.can.shell ? 'Tests and linters pass after the change.' : 'Every change was re-read in context after editing.');
    items.push('The answer follows the output format below.');
    return unique(items).slice(0, 8).map((i) => `- [ ] ${i}`).join('\n');
  },
  output(d) {
    return d.fill(d.templates.capabilities[roleCapability(d)].output).trim();
  },
  collaboration(d) {
    const { analysis } = d.request;
    const collaborators = unique([
      ...domainTemplate(d.templates, analysis.domains.primary.name).collaborators,
      ...analysis.domains.secondary.flatMap((s) => domainTemplate(d.templates, s.name).collaborators.slice(0, 1)),
    ]).slice(0, 4);
    return bullets([
      `Hand off to ${article(collaborators[0] ?? 'specialist')} ${collaborators[0] ?? 'specialist'} when the work needs expertise beyond ${d.brief.subject}.`,
      ...collaborators.slice(1).map((c) => `Involve ${article(c)} ${c} when their area is touched, and say what you need from them.`),
      'Return to the caller with a clear summary whenever you are blocked, finished, or need a decision.',
    ]);
  },
  orchestration(d) {
    const { analysis } = d.request;
    const domainPhases = [analysis.domains.primary, ...analysis.domains.secondary]
      .map((s) => `Execute the ${domainTemplate(d.templates, s.name).label} work on ${d.brief.subject}, one reviewable increment at a time.`);
    const phases = [
      `Discovery: map ${d.brief.subject}, its dependencies and its owners.`,
      'Plan: write the ordered plan with an exit criterion per phase.',
      ...unique(domainPhases).slice(0, 3),
      'Verify: check every exit criterion, then the whole against the original request.',
      'Report: summarize results, open risks and follow-ups.',
    ];
    const collaborators = analysis.domains.secondary.map((s) => domainTemplate(d.templates, s.name).collaborators[0]);
    const handoffs = unique(collaborators.filter((c): c is string => c !== undefined))
      .map((c) => `To ${article(c)} ${c}: the scope, the relevant files and the exit criterion they must meet.`);
    handoffs.push('Back to the caller: the plan status table and any decision you need.');
    const risky = d.capabilities.filter((c) => c === 'migrate' || c === 'deploy');
    const approvals = [
      'Before starting execution: the plan, its phases and its rollback strategy.',
      ...risky.map((c) => `Before each ${c === 'migrate' ? 'migration' : 'deployment'} step that cannot be undone in minutes.`),
      'Before any change outside the agreed plan.',
    ];
    const tracking = d.can.todo
      ? 'Keep one TodoWrite item per phase and update it as each starts, finishes or fails.'
      : 'Keep a status table (phase, owner, status, notes) at the top of each report.';
    return [
      `### Phases\n${numbered(phases)}`,
      `### Hand-offs\n${bullets(handoffs)}`,
      `### Approval points\n${bullets(approvals)}`,
      `### Progress tracking\n- ${tracking}\n- Record each decision with its reason, so the work can be resumed by someone else.`,
      `### Failure handling\n${bullets([
        'Stop the phase at the first failed check; do not continue on a broken base.',
        risky.length > 0 ? 'Roll back the failed step using its recorded rollback, then re-plan.' : 'Revert the failed increment, then re-plan.',
        'Report the failure with its evidence and the options to proceed.',
      ])}`,
    ].join('\n\n');
  },
};

function introduction(d: Draft): string {
  const title = roleTitle(d);
  const noun = d.brief.phrase.replace(/^(?:an?|the)\s+/i, '');
  const task = d.brief.isAction ? `Your job is to ${d.brief.phrase}.` : d.brief.isTask ? `Your job: ${d.brief.phrase}.` : `You act as ${article(noun)} ${noun}.`;
  return `You are ${article(title)} ${title}. ${task}`;
}

export interface RenderedAgent {
  content: string;
  name: string;
  /** The requirement's own texts the body repeats (task, subject, stack, terms), for counting its tokens. */
  phrases: string[];
}

/** Renders the tier's template into a complete agent file for this requirement. No I/O after templates load. */
export function renderOfflineAgent(request: GenerationRequest, templates: Templates = loadTemplates()): RenderedAgent {
  const { analysis, complexity, policy } = request;
  const b = brief(analysis);
  const base = {
    request,
    templates,
    brief: b,
    // Writing tests for something is testing it, not building it: the builder's texts would say "build X".
    capabilities: (b.testsOf && analysis.capabilities.includes('test') ? analysis.capabilities.filter((c) => c !== 'create') : analysis.capabilities).slice(0, complexity.tier === 'simple' ? 2 : 3),
    can: {
      edit: policy.tools.includes('Edit') || policy.tools.includes('Write'),
      shell: policy.tools.includes('Bash'),
      web: policy.tools.includes('WebFetch'),
      todo: policy.tools.includes('TodoWrite'),
      context7: policy.tools.some((t) => t.startsWith('mcp__context7')),
    },
  };
  const stack = stackLabel(base);
  // Key terms that are nouns read naturally in "the edge cases of …"; verbs do not.
  const nouns = analysis.keyTerms.filter((t) => !ACTION_VERBS.has(baseVerb(t)));
  const terms = quotePlaceholders(listJoin(asWritten(nouns.slice(0, 4), analysis.requirement))) || b.subject;
  const vars: Record<string, string> = { subject: b.subject, stack, terms };
  const draft: Draft = { ...base, fill: (text) => fillTemplate(forTools(text, base.can), vars) };
  // The name takes the requirement's own verb's role where it says more (ui-string-translator).
  const name = agentName(analysis, b.subject, verbRole(b) ?? capabilityNoun(draft), b.role);
  const sections = templates.tiers[complexity.tier].map((s) => `## ${s.heading}\n\n${SECTION_RENDERERS[s.key](draft)}`);
  const body = [introduction(draft), ...sections, trackingComment(analysis.requirement, complexity.tier)].join('\n\n');
  const frontmatter = {
    name,
    description: agentDescription(b, policy, analysis),
    tools: policy.tools.join(', '),
    model: complexity.model,
    ...(policy.permissionMode !== 'default' ? { permissionMode: policy.permissionMode } : {}),
    color: domainTemplate(templates, analysis.domains.primary.name).color,
  };
  return { content: renderAgentFile(frontmatter, body), name, phrases: [b.phrase, b.subject, stack, terms] };
}

/** The offline generator as a provider: the default without an API key, and the LLM's fallback. */
export const offlineProvider: LlmProvider = {
  name: 'offline',
  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const { content, phrases } = renderOfflineAgent(request);
    return {
      content,
      model: 'offline',
      usage: { input: 0, output: estimateTokens(content, phrases), cacheCreation: 0, cacheRead: 0, estimated: true },
    };
  },
};
