import { clock } from './format.js';

// Whether the numbers on the page are current: a failed poll leaves them as they were, so the page
// must say, loudly, since when they are old and why.
let lastUpdate;

/** A poll succeeded at `at`. */
export function markFresh(at) {
  lastUpdate = at;
  document.body.classList.remove('stale');
  document.getElementById('stale').hidden = true;
  document.getElementById('updated').textContent = `updated ${clock(at)}`;
}

/** A poll failed: says so until one succeeds. */
export function markStale(reason) {
  const text = lastUpdate ? `not updating since ${clock(lastUpdate)}: ${reason}` : `could not load: ${reason}`;
  document.body.classList.add('stale');
  const banner = document.getElementById('stale');
  banner.textContent = text;
  banner.hidden = false;
  document.getElementById('updated').textContent = lastUpdate ? `not updating since ${clock(lastUpdate)}` : 'not loaded';
}
