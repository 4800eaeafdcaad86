/** The `inputId\treqKey` entry an input gets on its batch's ids list. */
export function idsEntry(id: string, key: string): string {
  if (id.includes('\t')) throw new Error(`input id ${JSON.stringify(id)} contains a tab`);
  return `${id}\t${key}`;
}

/** An ids-list entry's input id and requirement key (the key is the part after the last tab). */
export function splitEntry(entry: string): [string, string] {
  const tab = entry.lastIndexOf('\t');
  return [entry.slice(0, tab), entry.slice(tab + 1)];
}
