import { clock, el } from './format.js';

/** Which tile each alert is about: the alert's name → the id of the tile's value. */
const TILE_OF = { error_rate: 'errors', p95_time: 'p95', tokens_per_agent: 'tokens' };

/**
 * Shows the server's alert check: a banner with each crossed threshold (its value against the
 * threshold, since when) and its tile highlighted. `state` is null when no server checked lately.
 */
export function renderAlerts(banner, state) {
  const active = state?.active ?? [];
  const crossed = new Set(active.map((a) => a.name));
  for (const [name, id] of Object.entries(TILE_OF)) {
    const tile = document.getElementById(id).closest('.tile');
    tile.classList.toggle('alerting', crossed.has(name));
    if (crossed.has(name)) tile.title = active.find((a) => a.name === name).message;
    else tile.removeAttribute('title');
  }
  banner.hidden = active.length === 0;
  if (active.length === 0) return banner.replaceChildren();
  const list = el('ul');
  list.append(...active.map((a) => {
    const li = el('li', undefined);
    li.dataset.alert = a.name;
    li.append(el('strong', `${a.message}`), ` since ${clock(a.since)} (over the last ${state.windowMinutes} min, checked ${clock(state.checkedAt)})`);
    return li;
  }));
  banner.replaceChildren(el('h2', active.length === 1 ? 'Alert' : `${active.length} alerts`), list);
}
