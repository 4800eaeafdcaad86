// The simulator's ledger counts requests by endpoint and status, not by requirement. This proxy sits
// between the workers and the simulator and keeps that ledger per requirement: how many Messages
// requests each one sent and how many of them got a whole reply (a 200 JSON answer, or a stream
// that reached message_stop). Anything else passes through byte for byte, resets included.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requirementOf } from '@agent-factory/sim';

export interface RequirementTrail {
  requests: number;
  /** Whole replies: what a worker could have turned into an agent file. */
  replies: number;
  /** Each request's outcome: HTTP status, `200 cut` for a stream without message_stop, `reset`. */
  outcomes: string[];
}

export interface ProviderLedger {
  /** Base URL for ANTHROPIC_BASE_URL. */
  url: string;
  /** By the key `keyOf` gave the requirement (`?` when it gave none). */
  byKey: Map<string, RequirementTrail>;
  /** Completed replies by key, for countBatch. */
  replies(): Map<string, number>;
  close(): Promise<void>;
}

/** The text of the last user message of a Messages request body. */
function lastUserText(body: unknown): string {
  const messages = (body as { messages?: { role?: string; content?: unknown }[] } | null)?.messages ?? [];
  const last = messages.findLast((m) => m.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return (last.content as { type?: string; text?: unknown }[]).flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n');
}

/** Starts the proxy in front of `target` (the simulator's URL). */
export async function startProviderLedger(target: string, keyOf: (requirement: string) => string | undefined): Promise<ProviderLedger> {
  const upstream = new URL(target);
  // A fresh connection per request: a kept-alive socket the simulator closes while idle would fail the
  // next request here, a reset the simulator never saw.
  const agent = new Agent({ keepAlive: false });
  const byKey = new Map<string, RequirementTrail>();
  const trail = (key: string): RequirementTrail => {
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = { requests: 0, replies: 0, outcomes: [] }));
    return t;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    let key: string | undefined;
    let streaming = false;
    if (req.method === 'POST' && req.url === '/v1/messages') {
      try {
        // The SDK's own request body: only messages and stream are read.
        const parsed = JSON.parse(body.toString('utf8')) as { stream?: unknown };
        streaming = parsed.stream === true;
        key = keyOf(requirementOf(lastUserText(parsed)).requirement) ?? '?';
      } catch {
        key = '?';
      }
    }
    let outcome: string | undefined;
    const settle = (o: string): void => {
      if (outcome !== undefined || key === undefined) return;
      outcome = o;
      const t = trail(key);
      t.requests++;
      t.outcomes.push(o);
      if (o === '200') t.replies++;
    };
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent }, (reply) => {
      const status = reply.statusCode ?? 0;
      res.writeHead(status, reply.headers);
      let tail = '';
      let stopped = false;
      reply.on('data', (chunk: Buffer) => {
        // The marker may straddle two chunks: keep the end of the previous one.
        const text = tail + chunk.toString('latin1');
        if (text.includes('message_stop')) stopped = true;
        tail = text.slice(-16);
        res.write(chunk);
      });
      reply.on('end', () => {
        settle(status === 200 && streaming && !stopped ? '200 cut' : String(status));
        res.end();
      });
      reply.on('error', () => {
        settle(`${status} cut`);
        res.destroy();
      });
    });
    up.on('error', () => {
      settle('reset');
      res.destroy();
    });
    // The worker gave up (timeout, abort): the simulator's request goes too.
    res.on('close', () => {
      if (!res.writableFinished) {
        settle('aborted');
        up.destroy();
      }
    });
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    byKey,
    replies: () => new Map([...byKey].map(([k, t]) => [k, t.replies])),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
