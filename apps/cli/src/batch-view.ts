import type { BatchStatus } from '@agent-factory/queue/client';

/** Items the workers are through with, completed or failed; cancelled ones were dropped, not done. */
export function doneOf(status: BatchStatus): number {
  return status.counts.completed + status.counts.failed;
}

/** Items finished one way or another: nothing is left to happen to them. */
export function finishedOf(status: BatchStatus): number {
  return doneOf(status) + status.counts.cancelled;
}

/** Share of the batch's distinct requirements that are done, 0–100. */
export function progressOf(status: BatchStatus): number {
  if (status.total === 0) return status.state === 'completed' ? 100 : 0;
  return (100 * doneOf(status)) / status.total;
}

/** What the percentage is of, when the producer enqueued only part of its file (still enqueuing, or interrupted). */
function partOfFile(s: BatchStatus): string {
  return s.expected !== undefined && s.inputs < s.expected ? ` of what is enqueued so far (${s.inputs} of the file's ${s.expected} inputs)` : '';
}

/** `status BATCH` as a few lines of text. */
export function describeBatch(s: BatchStatus): string {
  const { pending, completed, failed, cancelled } = s.counts;
  return [
    `batch     ${s.id}${s.name !== s.id ? `  (${s.name})` : ''}`,
    `state     ${s.state}, ${progressOf(s).toFixed(1)}% done${partOfFile(s)}`,
    `tenant    ${s.tenant}, priority ${s.priority}`,
    `created   ${s.createdAt}`,
    `finished  ${s.finishedAt ?? '-'}`,
    `inputs    ${s.inputs} ids${s.expected !== undefined && s.expected !== s.inputs ? ` of ${s.expected} in the file` : ''}, ${s.total} distinct requirements${s.skipped ? `; ${s.skipped} bad line(s) left out (--skip-invalid)` : ''}`,
    `items     ${pending} pending, ${completed} completed, ${failed} failed, ${cancelled} cancelled`,
    ...(s.reason ? [`reason    ${s.reason}`] : []),
    ...(s.webhook ? [`webhook   ${s.webhook.state}${s.webhook.at ? ` ${s.webhook.at}` : ''}${s.webhook.error ? `: ${s.webhook.error}` : ''}`] : []),
  ].join('\n');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `status` without a batch: the recent batches, newest first, as a table. */
export function batchTable(batches: BatchStatus[]): string {
  // Counts are of distinct requirements (ITEMS), as the workers run them; IDS is how many inputs they answer.
  const header = ['BATCH', 'NAME', 'TENANT', 'STATE', 'DONE', 'FAILED', 'CANCELLED', 'ITEMS', 'IDS', 'CREATED'];
  const rows = batches.map((s) => [
    s.id,
    clip(s.name, 30),
    clip(s.tenant, 16),
    s.state,
    `${progressOf(s).toFixed(0)}%`,
    String(s.counts.failed),
    String(s.counts.cancelled),
    String(s.total),
    String(s.inputs),
    s.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((cells) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
