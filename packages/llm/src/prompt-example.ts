import { EMPTY_RESEARCH, estimateTokens, planRequirement, renderOfflineAgent, type Tier } from '@agent-factory/core';

/** Fixed requirements whose offline agents serve as examples, one per tier. */
const EXAMPLES: Readonly<Record<Tier, string>> = {
  simple: 'Review Terraform plans for public S3 buckets and overly broad IAM policies',
  standard: 'Review React pull requests for accessibility problems and missing tests, and fix them',
  complex: 'Coordinate security audits of microservices across an enterprise with multi-region deployments, integrate with Jira and Slack, and monitor remediation',
};

/** One line (or a whole table) of the example's body that an excerpt may leave out. */
interface Unit {
  text: string;
  /** Kept in every excerpt: frontmatter, headings, the role statement, blank lines, the tracking line. */
  fixed: boolean;
  /** Position among the optional units of its section (0 = its first line). */
  rank: number;
  section: number;
}

function unitsOf(content: string): Unit[] {
  const lines = content.trimEnd().split('\n');
  const frontmatterEnd = lines.indexOf('---', 1);
  const units: Unit[] = [];
  let section = 0;
  let rank = 0;
  let roleSeen = false;
  lines.forEach((text, i) => {
    const previous = units.at(-1);
    if (i <= frontmatterEnd || i === lines.length - 1 || text.trim() === '') return void units.push({ text, fixed: true, rank: 0, section });
    if (/^#{2,3} /.test(text)) {
      section++;
      rank = 0;
      return void units.push({ text, fixed: true, rank: 0, section });
    }
    if (!roleSeen) {
      roleSeen = true;
      return void units.push({ text, fixed: true, rank: 0, section });
    }
    // A table is kept whole or not at all: half a table teaches a broken one.
    if (text.startsWith('|') && previous?.text.startsWith('|')) return void (previous.text += `\n${text}`);
    units.push({ text, fixed: false, rank: rank++, section });
  });
  return units;
}

const render = (units: readonly Unit[]): string => units.map((u) => u.text).join('\n').replace(/\n{3,}/g, '\n\n');

interface ExampleAgent {
  tier: Tier;
  requirement: string;
  content: string;
}

/** The tier's example agent file, as the offline generator writes it (it passes every gate). */
function exampleAgent(tier: Tier): ExampleAgent {
  const requirement = EXAMPLES[tier];
  const plan = planRequirement({ requirement });
  const { content } = renderOfflineAgent({ ...plan, research: EMPTY_RESEARCH });
  return { tier, requirement, content: content.trim() };
}

function exampleText(agent: ExampleAgent, heading: string, body: string): string {
  return `# Example: a ${agent.tier} agent
Requirement: "${agent.requirement}"
${heading}

${body}`;
}

/** The tier's example agent, complete. */
export function fullExample(tier: Tier): string {
  const agent = exampleAgent(tier);
  return exampleText(agent, 'The complete answer:', agent.content);
}

/**
 * The tier's example agent cut to what `before` (the prefix written so far) needs to reach `tokens`:
 * the frontmatter, the role statement, every heading and the tracking line always; then the first
 * line of every section, then the second …, until the prefix holds `tokens`. So a prefix just reaches
 * its cache minimum instead of paying for a whole example on every request.
 */
export function exampleExcerpt(tier: Tier, before: string, tokens: number): string {
  const agent = exampleAgent(tier);
  const units = unitsOf(agent.content);
  const kept = new Set(units.filter((u) => u.fixed));
  const optional = units.filter((u) => !u.fixed).sort((a, b) => a.rank - b.rank || a.section - b.section);
  const excerpt = (): string => exampleText(agent, 'Excerpt of the answer (each section\'s first lines; a real answer fills every section):', render(units.filter((u) => kept.has(u))));
  for (const unit of optional) {
    if (estimateTokens(`${before}\n\n${excerpt()}`) >= tokens) break;
    kept.add(unit);
  }
  return excerpt();
}
