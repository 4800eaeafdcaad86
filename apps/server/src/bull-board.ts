import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Express } from 'express';
import type { FactoryConnection } from '@agent-factory/queue';
import { roleOf, type Role } from './auth.js';
import { BOARD_PATH } from './security.js';

/** A stage queue (bullmq's Queue; typed through the queue package, which owns the bullmq dependency). */
type StageQueue = FactoryConnection['queues'][keyof FactoryConnection['queues']];

/** One Bull Board over the stage queues, served as an express sub-app. */
function board(queues: readonly StageQueue[], readOnlyMode: boolean): Express {
  const serverAdapter = new ExpressAdapter();
  // Both boards claim the same base path: the UI's links and API calls go there, and the gate below
  // decides which board answers them.
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'Agent Factory (read-only)' : 'Agent Factory' } },
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
 * Bull Board for every stage queue at /admin/queues, twice over the same queues: a full board for
 * the admin and a read-only one (readOnlyMode on every queue, enforced by Bull Board's API, not
 * only hidden in the UI) for viewers. Both live at the same URL and the authenticated role picks
 * one, so there is one address to bookmark and a viewer can never reach the writable board's API.
 */
export function bullBoards(queues: readonly StageQueue[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(gate('admin', board(queues, false)));
  app.use(gate('viewer', board(queues, true)));
  return app;
}
