// Number and time formats shared by the dashboard's parts.
export const num = (n, digits = 0) => (n === undefined || n === null ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
export const ms = (n) => (n === undefined || n === null ? '—' : n >= 10000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
export const pct = (n) => `${(n * 100).toFixed(1)}%`;
/** A wall-clock time as HH:MM:SS (24 h), the same whatever the browser's locale. */
export const clock = (at) => new Date(at).toLocaleTimeString('en-GB', { hour12: false });
/** The API's window ("15m", "1h") in words for the page. */
export const windowWords = (window) => {
  const m = /^(\d+)(m|h)$/.exec(window ?? '');
  return m ? `last ${m[1]} ${m[2] === 'm' ? 'min' : m[1] === '1' ? 'hour' : 'hours'}` : `last ${window}`;
};

/** An element with text (textContent only: nothing from the API is HTML) and optional class. */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
