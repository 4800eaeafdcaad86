import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FactoryInputError } from '../errors.js';
import type { ToolContext } from './agent-tools.js';
import { projectPath } from './project-path.js';
import { RequirementItemSchema } from './requirement-item.js';
import { answer } from './tool-result.js';

/** Results per batch_results call unless asked: each carries a whole agent file, and clients cap a tool's answer. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 200;

const submitShape = {
  requirements: z.array(RequirementItemSchema).optional().describe('The requirements: strings, or {id?, requirement, tier?, model?}. Give this or file.'),
  file: z.string().optional().describe('A requirements file instead (JSONL, CSV with a requirement column, or one per line), relative to the project folder.'),
  name: z.string().optional().describe('Batch name.'),
  priority: z.number().int().min(1).max(10).optional().describe('1 (most urgent) to 10; default 5.'),
  skipInvalid: z.boolean().optional().describe('Submit the good requirements and skip the bad ones instead of refusing the batch.'),
};

const idShape = { id: z.string().describe('The batch id submit_batch returned.') };

const resultsShape = {
  ...idShape,
  offset: z.number().int().min(0).optional().describe('Skip this many input ids (default 0).'),
  limit: z.number().int().min(1).max(MAX_PAGE).optional().describe(`Results to return (default ${DEFAULT_PAGE}, at most ${MAX_PAGE}).`),
};

/** submit_batch, batch_status, batch_results, retry_batch: the worker pool through Redis. */
export function registerBatchTools(server: McpServer, { factory, cwd }: ToolContext): void {
  server.registerTool(
    'submit_batch',
    {
      title: 'Submit a batch of requirements',
      description:
        'Checks and enqueues many requirements for the worker pool (needs Redis and workers: `npx agent-factory up`). ' +
        'Every bad requirement is reported before anything is enqueued. Returns the batch status with its id; follow it with batch_status.',
      inputSchema: submitShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ requirements, file, ...options }) => {
      if ((requirements === undefined) === (file === undefined)) throw new FactoryInputError('give either requirements or file (one of them)');
      const input = requirements ?? { file: await projectPath(cwd, file ?? '', 'file') };
      return answer(await factory.submitBatch(input, options));
    },
  );
  server.registerTool(
    'retry_batch',
    {
      title: "Retry a batch's failed requirements",
      description:
        "Runs a finished batch's failed requirements again, in the same batch; the completed ones are not run again. " +
        'Returns how many went back to the workers (`retried`) and how many wait for a next retry (`remaining`); follow it with batch_status.',
      inputSchema: idShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ id }) => answer(await factory.retryBatch(id)),
  );
  server.registerTool(
    'batch_status',
    {
      title: 'Batch status',
      description: "A batch's state (running, completed, cancelled, or interrupted when its submit stopped before enqueuing everything, with the reason) and its counts: pending, completed, failed, cancelled.",
      inputSchema: idShape,
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ id }) => {
      const status = await factory.batchStatus(id);
      if (!status) throw new FactoryInputError(`no batch ${id} (unknown, or its retention ended)`);
      return answer(status);
    },
  );
  server.registerTool(
    'batch_results',
    {
      title: 'Batch results',
      description:
        "A page of a batch's results in input order: each input id's agent (name and whole file), gate scores, tokens and cost, or why it failed. " +
        '`next` is the offset of the following page, null at the end.',
      inputSchema: resultsShape,
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ id, offset = 0, limit = DEFAULT_PAGE }) => {
      const items = [];
      // One more than the page: whether a next page exists, without reading the results before it.
      for await (const item of factory.results(id, { offset, limit: limit + 1 })) items.push(item);
      const more = items.length > limit;
      if (more) items.pop();
      return answer({ batch: id, offset, next: more ? offset + items.length : null, results: items });
    },
  );
}
