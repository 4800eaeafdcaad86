import { join } from 'node:path';
import { AgentModelSchema, TierSchema, type GateReport } from '@agent-factory/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FactoryInputError } from '../errors.js';
import type { AgentFactory } from '../factory.js';
import type { GeneratedAgent } from '../generate.js';
import { projectPath } from './project-path.js';
import { answer } from './tool-result.js';

export interface ToolContext {
  factory: AgentFactory;
  /** The project folder relative paths and `.claude/agents` are taken from (the server's cwd). */
  cwd: string;
}

const generateShape = {
  requirement: z.string().describe('What the agent should do, in plain words, e.g. "reviews Terraform plans for public S3 buckets".'),
  tier: TierSchema.optional().describe('Force a tier instead of the one the requirement\'s complexity gives.'),
  model: AgentModelSchema.optional().describe("The agent's model: haiku, sonnet, opus, inherit or a full claude-… id."),
  write: z.boolean().optional().describe("Write the file into the project's .claude/agents (a taken name gets a -2 suffix). Default: only return it."),
  dir: z.string().optional().describe('A folder inside the project to write into, relative to it (default: the project, where the server runs); the file goes into its .claude/agents.'),
  force: z.boolean().optional().describe('With write: overwrite an agent of the same name.'),
  dryRun: z.boolean().optional().describe('With write: write nothing, return the diff of what would be written.'),
};

const validateShape = {
  path: z.string().optional().describe('An agent file to check (relative to the project folder).'),
  content: z.string().optional().describe('The text of an agent file to check, frontmatter and body.'),
};

/** The gate report as data: each gate's score and findings. */
function reportOf(report: GateReport): object {
  return { passed: report.passed, gates: report.gates };
}

function summaryOf(agent: GeneratedAgent): object {
  const { complexity, policy } = agent.plan;
  return {
    name: agent.name,
    ...(agent.path ? { path: agent.path, written: agent.written } : {}),
    ...(agent.diff !== undefined ? { diff: agent.diff } : {}),
    tier: complexity.tier,
    complexity: complexity.score,
    model: complexity.model,
    tools: policy.tools,
    report: reportOf(agent.report),
    usage: agent.usage,
    costUsd: agent.costUsd,
    generator: agent.generator,
    degraded: agent.degraded,
  };
}

/** generate_agent and validate_agent: one agent, in the server's process, no Redis. */
export function registerAgentTools(server: McpServer, { factory, cwd }: ToolContext): void {
  server.registerTool(
    'generate_agent',
    {
      title: 'Generate a Claude Code sub-agent',
      description:
        'Turns a requirement into a validated Claude Code sub-agent file (analyze → research → generate → 4 validation gates). ' +
        "Returns the file, then its gate report, tools, model, tokens and cost as JSON. With write: true it is saved into the project's .claude/agents.",
      inputSchema: generateShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ requirement, tier, model, write, dir, force, dryRun }) => {
      // The agents folder itself is checked: a `.claude` symlinked elsewhere must not take the write out.
      const options = write ? { write: { dir: await projectPath(cwd, join(dir ?? '.', '.claude', 'agents'), 'dir'), force, dryRun } } : {};
      const agent = await factory.generate(requirement, { tier, model, ...options });
      return answer(agent.content, summaryOf(agent));
    },
  );
  server.registerTool(
    'validate_agent',
    {
      title: 'Validate an agent file',
      description:
        'Checks a Claude Code agent file (give path or content) against the 4 gates: syntax and structure, content, Claude Code compliance, TRUST 5. ' +
        'Returns passed and every finding with its rule, line and fix.',
      inputSchema: validateShape,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ path, content }) => {
      if ((path === undefined) === (content === undefined)) throw new FactoryInputError('give either path or content (one of them)');
      const report = await factory.validate(path !== undefined ? { path: await projectPath(cwd, path, 'path') } : { content: content ?? '' });
      return answer(reportOf(report));
    },
  );
}
