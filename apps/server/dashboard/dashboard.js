// The dashboard: polls /api/dashboard (same origin, same credentials) and fills the page. No framework:
// one page, a few tables.
const POLL_MS = 2000;

const $ = (id) => document.getElementById(id);
const num = (n, digits = 0) => (n === undefined || n === null ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (n) => (n === undefined || n === null ? '—' : n >= 10000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const pct = (n) => `${(n * 100).toFixed(1)}%`;

/** Replaces a table's body with rows of text cells (textContent only: nothing from the API is HTML). */
function rows(tableId, data, cells) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren(...data.map((item) => {
    const tr = document.createElement('tr');
    for (const cell of cells(item)) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }));
}

function progressOf(batch) {
  const done = batch.counts.completed + batch.counts.failed + batch.counts.cancelled;
  const bar = document.createElement('progress');
  bar.max = Math.max(batch.total, 1);
  bar.value = done;
  bar.setAttribute('aria-label', `${batch.id} ${done} of ${batch.total}`);
  return bar;
}

function render(data) {
  const { report, batches, queues, cache, failures } = data;
  const t = report.totals;
  $('throughput').textContent = num(t.perMinute, 1);
  $('p95').textContent = ms(t.timeP95Ms);
  $('tokens').textContent = num(t.tokensPerAgent);
  const agents = report.usage.reduce((s, u) => s + u.agents, 0);
  $('cost').textContent = agents > 0 ? `$${(report.cost.total / agents).toFixed(4)}` : '$0';
  $('errors').textContent = pct(t.errorRate);
  rows('batches', batches, (b) => [b.name === b.id ? b.id : `${b.name} (${b.id})`, b.state, progressOf(b), num(b.counts.completed), num(b.counts.failed), num(b.counts.pending)]);
  for (const tr of $('batches').querySelectorAll('tbody tr')) tr.dataset.batch = tr.firstChild.textContent;
  rows('stages', report.stages, (s) => [s.stage, num(s.count), ms(s.waitP95Ms), ms(s.runP95Ms)]);
  rows('queues', Object.entries(queues), ([name, c]) => [name, num((c.waiting ?? 0) + (c.prioritized ?? 0)), num(c.active), num(c.delayed), num(c.failed)]);
  rows('cache', Object.entries(cache.namespaces), ([name, c]) => [name, pct(c.hitRate), num(c.memory + c.redis + c.miss)]);
  const list = $('failures');
  list.replaceChildren(...(failures.length > 0 ? failures : [null]).map((f) => {
    const li = document.createElement('li');
    li.textContent = f ? `${new Date(f.at).toLocaleTimeString()} ${f.batch ?? ''} ${f.error ?? ''}` : 'none';
    return li;
  }));
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

async function poll() {
  try {
    const res = await fetch('api/dashboard', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    render(await res.json());
  } catch (error) {
    $('updated').textContent = `could not update: ${error.message}`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
