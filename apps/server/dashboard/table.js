import { el } from './format.js';

/** A table row of cells, each text or a node. */
export function row(cells) {
  const tr = el('tr');
  for (const cell of cells) {
    const td = el('td');
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

/**
 * Replaces a table's body with these rows, or with one row saying `empty` when there are none, so an
 * empty table does not look like one still loading.
 */
export function fillTable(table, rows, empty) {
  const body = table.querySelector('tbody');
  if (rows.length > 0) {
    body.replaceChildren(...rows);
    return;
  }
  const td = el('td', empty, 'empty');
  td.colSpan = table.querySelectorAll('thead th').length;
  const tr = el('tr');
  tr.append(td);
  body.replaceChildren(tr);
}
