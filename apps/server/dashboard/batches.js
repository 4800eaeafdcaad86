import { clock, el, num } from './format.js';
import { fillTable, row } from './table.js';

/** The bar's segments, in order; pending is what is left of the track. */
const SEGMENTS = ['completed', 'failed', 'cancelled'];

/** A progress bar with one coloured segment per outcome, so failures and cancellations show. */
function bar(batch) {
  const total = Math.max(batch.total, 1);
  const parts = SEGMENTS.map((outcome) => `${num(batch.counts[outcome])} ${outcome}`).concat(`${num(batch.counts.pending)} pending`).join(', ');
  const track = el('div', undefined, 'bar');
  track.setAttribute('role', 'img');
  track.setAttribute('aria-label', `${batch.id}: ${parts} of ${num(batch.total)}`);
  track.title = parts;
  for (const outcome of SEGMENTS) {
    const n = batch.counts[outcome];
    if (n === 0) continue;
    const segment = el('span', undefined, `seg ${outcome}`);
    segment.style.width = `${(n / total) * 100}%`;
    segment.dataset.count = String(n);
    track.append(segment);
  }
  return track;
}

/** The state, saying so when a finished batch has failures: "completed" alone would read as success. */
function stateOf(batch) {
  const { failed, completed } = batch.counts;
  if (batch.state !== 'completed' || failed === 0) return batch.state;
  return completed === 0 ? 'completed, all failed' : `completed, ${num(failed)} failed`;
}

/** The webhook's delivery, when the batch has one. */
function webhookOf(batch) {
  const hook = batch.webhook;
  if (!hook) return '';
  const at = hook.at ? ` ${clock(hook.at)}` : '';
  return hook.state === 'failed' ? `failed${at}: ${hook.error ?? 'no reason given'}` : `${hook.state}${at}`;
}

/** A full-width row under a batch: why it is interrupted and how to resume it. */
function noteRow(batch, columns) {
  const td = el('td', batch.reason, 'note');
  td.colSpan = columns;
  const tr = el('tr', undefined, 'note-row');
  tr.dataset.noteFor = batch.id;
  tr.append(td);
  return tr;
}

/** Fills the batches table and the line that says how many there are. */
export function renderBatches(table, summary, batches, counts) {
  const columns = table.querySelectorAll('thead th').length;
  const rows = batches.flatMap((b) => {
    const tr = row([b.name === b.id ? b.id : `${b.name} (${b.id})`, stateOf(b), bar(b), num(b.counts.completed), num(b.counts.failed), num(b.counts.cancelled), num(b.counts.pending), webhookOf(b)]);
    tr.dataset.batch = tr.firstChild.textContent;
    tr.className = `state-${b.state}${b.counts.failed > 0 ? ' has-failures' : ''}`;
    return b.reason ? [tr, noteRow(b, columns)] : [tr];
  });
  fillTable(table, rows, 'no batches yet');
  summary.textContent = counts ? summaryOf(batches, counts) : '';
}

function summaryOf(batches, counts) {
  const finished = batches.length - (counts.unfinished - counts.unlisted);
  const more = counts.unlisted > 0 ? `, and ${num(counts.unlisted)} more not listed` : '';
  return `${num(counts.unfinished)} running or interrupted${more}; the ${num(finished)} newest finished; ${num(counts.total)} ${counts.total === 1 ? 'batch' : 'batches'} in all.`;
}
