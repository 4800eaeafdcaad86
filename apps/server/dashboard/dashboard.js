// The dashboard: polls /api/dashboard (same origin, same credentials) and fills the page. No framework:
// one page, a few tables; each part in its own module.
import { renderAlerts } from './alerts.js';
import { renderBatches } from './batches.js';
import { clock, el, ms, num, pct, windowWords } from './format.js';
import { fillTable, row } from './table.js';
import { markFresh, markStale } from './stale.js';

const POLL_MS = 2000;
/** A poll that gets no answer in this long counts as failed: a hung server must not look current. */
const POLL_TIMEOUT_MS = 5000;

const $ = (id) => document.getElementById(id);

function render(data) {
  const { report, batches, batchCounts, queues, cache, failures, alerts, redisFull, redisCannotSave } = data;
  const t = report.totals;
  for (const label of document.querySelectorAll('.tile .window')) label.textContent = windowWords(data.window);
  $('throughput').textContent = num(t.perMinute, 1);
  $('p95').textContent = ms(t.processingP95Ms);
  $('p95-e2e').textContent = `end to end ${ms(t.timeP95Ms)}`;
  $('tokens').textContent = num(t.tokensPerAgent);
  const agents = report.usage.reduce((s, u) => s + u.agents, 0);
  $('cost').textContent = agents > 0 ? `$${(report.cost.total / agents).toFixed(4)}` : '$0';
  $('errors').textContent = pct(t.errorRate);
  // A Redis that refuses writes (full, or unable to save) stops every batch: said above all else, in the server's words.
  const refusal = redisFull ?? redisCannotSave;
  $('redis-full').hidden = !refusal;
  $('redis-full').textContent = refusal?.message ?? '';
  renderAlerts($('alerts'), alerts);
  renderBatches($('batches'), $('batch-summary'), batches, batchCounts);
  fillTable($('stages'), report.stages.map((s) => row([s.stage, num(s.count), ms(s.waitP95Ms), ms(s.runP95Ms)])), `nothing finished in the ${windowWords(data.window)}`);
  fillTable($('queues'), Object.entries(queues).map(([name, c]) => row([name, num((c.waiting ?? 0) + (c.prioritized ?? 0)), num(c.active), num(c.delayed), num(c.failed)])), 'no queues');
  fillTable($('cache'), Object.entries(cache.namespaces).map(([name, c]) => row([name, pct(c.hitRate), num(c.memory + c.redis + c.miss)])), 'no look-ups yet');
  $('failures').replaceChildren(...(failures.length > 0
    ? failures.map((f) => el('li', `${clock(f.at)} ${f.batch ?? ''} ${f.error ?? ''}`))
    : [el('li', 'no failures', 'empty')]));
}

/** Why a poll failed, in words. */
function reasonOf(error) {
  if (error.name === 'TimeoutError') return `no answer in ${POLL_TIMEOUT_MS / 1000} s`;
  if (error instanceof TypeError) return `server unreachable (${error.message})`;
  return error.message;
}

async function poll() {
  try {
    const res = await fetch('api/dashboard', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
    if (!res.ok) {
      const body = await res.json().catch(() => undefined);
      throw new Error(`HTTP ${res.status}${body?.error?.message ? `: ${body.error.message}` : ` ${res.statusText}`}`);
    }
    render(await res.json());
    markFresh(new Date());
  } catch (error) {
    markStale(reasonOf(error));
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
