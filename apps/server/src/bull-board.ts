import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Express } from 'express';
import type { FactoryConnection } from '@agent-factory/queue';
import { roleOf, type Role } from './auth.js';
import { sendUnavailable } from './errors.js';
import { BOARD_PATH } from './security.js';

/** A stage queue (bullmq's Queue; typed through the queue package, which owns the bullmq dependency). */
type StageQueue = FactoryConnection['queues'][keyof FactoryConnection['queues']];

/**
 * Stage queues are read-only for everyone: their jobs are steps of a batch's requirements, and a job
 * removed, emptied or retried here would leave its batch waiting forever, or run again while the
 * batch keeps the old outcome. Requirements are acted on through their batch.
 */
const STAGE_QUEUE_NOTE = 'Steps of batches: act on them with agent-factory retry BATCH or cancel BATCH (or the API), which keep the batch right.';

/** What a stage job is about, for its row: the stage and the start of its requirement (carried from analyze on), or its batch. */
function jobName(job: { name?: string; data?: unknown }): string {
  const data = (job.data ?? {}) as { b?: unknown; o?: { plan?: { plan?: { analysis?: { requirement?: unknown } } } } };
  const requirement = data.o?.plan?.plan?.analysis?.requirement;
  const about = typeof requirement === 'string' ? (requirement.length > 70 ? `${requirement.slice(0, 69)}…` : requirement) : typeof data.b === 'string' ? `batch ${data.b}` : '';
  return about ? `${job.name ?? ''}: ${about}` : (job.name ?? '');
}

function adapterFor(queue: StageQueue, stageQueues: ReadonlySet<string>, readOnlyMode: boolean): BullMQAdapter {
  const stage = stageQueues.has(queue.name);
  const adapter = new BullMQAdapter(queue, { readOnlyMode: readOnlyMode || stage, ...(stage ? { description: STAGE_QUEUE_NOTE } : {}) });
  if (stage) adapter.setFormatter('name', jobName);
  return adapter;
}

/** One Bull Board over the queues, served as an express sub-app. */
function board(queues: readonly StageQueue[], stageQueues: ReadonlySet<string>, readOnlyMode: boolean): Express {
  const serverAdapter = new ExpressAdapter();
  // Both boards claim the same base path: the UI's links and API calls go there, and the gate below
  // decides which board answers them.
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => adapterFor(queue, stageQueues, readOnlyMode)),
    serverAdapter,
    // The board's header fits some 18 characters: a longer title is cut before it says read-only.
    options: { uiConfig: { boardTitle: readOnlyMode ? 'AF · read-only' : 'Agent Factory' } },
  });
  const app = serverAdapter.getRouter() as Express; // typed `any` by @bull-board/express; it is an express app
  app.disable('x-powered-by');
  return app;
}

/** An express app that hands the request to `inner` only for `role`, and otherwise passes it on. */
function gate(role: Role, inner: Express): Express {
  const app = express();
  app.disable('x-powered-by');
  // next('router') leaves this app's router; express then restores the parent app and goes on.
  app.use((_req, res, next) => (roleOf(res) === role ? next() : next('router')));
  app.use(inner);
  return app;
}

/**
 * Bull Board for every queue at /admin/queues, twice over the same queues: one for the admin, who
 * may act on the queues that are not stage queues (retry a webhook's delivery), and a read-only one
 * (readOnlyMode on every queue, enforced by Bull Board's API, not only hidden in the UI) for
 * viewers. Both live at the same URL and the authenticated role picks one, so there is one address
 * to bookmark and a viewer can never reach the writable board's API. `stageQueues` names the queues
 * read-only for both; `redisReady` says whether the queues' Redis connection is up.
 */
export function bullBoards(queues: readonly StageQueue[], stageQueues: ReadonlySet<string>, redisReady: () => boolean): Express {
  const app = express();
  app.disable('x-powered-by');
  // Bull Board's own error handler answers 500 with ioredis's words while Redis is away: its API says 503 as ours does.
  app.use('/api', (_req, res, next) => (redisReady() ? next() : sendUnavailable(res)));
  app.use(gate('admin', board(queues, stageQueues, false)));
  app.use(gate('viewer', board(queues, stageQueues, true)));
  return app;
}
