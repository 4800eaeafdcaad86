import { textMemo } from '../memo.js';
/** Placeholders a template or a model leaves behind; TODO only where it reads as a note, not as a topic. */
export const PLACEHOLDER_CASED = /\{\{[^{}\n]*\}\}|\bTBD\b|\[(?:TODO|FIXME)\]|\b(?:TODO|FIXME)\b(?=[ \t]*(?::|$))/m;
export const PLACEHOLDER_ANY_CASE = /<insert\b[^>\n]*>|\[(?:placeholder|insert\b[^\]\n]*|your [^\]\n]* here)\]|\blorem ipsum\b/im;

const CASED_ALL = new RegExp(PLACEHOLDER_CASED.source, 'gm');
const ANY_CASE_ALL = new RegExp(PLACEHOLDER_ANY_CASE.source, 'gim');


function quote(text: string): string {
  const inCode = (m: string): string => `\`${m}\``;
  return text.replace(/`/g, "'").replace(CASED_ALL, inCode).replace(ANY_CASE_ALL, (m, offset: number, all: string) => (all[offset - 1] === '`' ? m : inCode(m)));
}

/**
 * Text from outside (a requirement, docs) with every placeholder-like token in inline code, so that
 * "{{ ds }}" or "find TODO: markers" reads as quoted material, not as a template left unfilled.
 */
// Memoized: docs notes and template phrases come back in agent after agent.
export const quotePlaceholders: (text: string) => string = textMemo(10_000, quote);
