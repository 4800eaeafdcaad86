/** Whitespace other than single spaces: a run of two, or one that is not a space. */
const UNUSUAL_SPACE = /\s\s|[^\S ]/;

/**
 * Whether `text.replace(/\s+/g, ' ')` or `text.split(/\s+/)` … `join(' ')` could change the text:
 * false when its whitespace is single spaces only, as in most requirements and phrases.
 */
export function hasUnusualSpace(text: string): boolean {
  return UNUSUAL_SPACE.test(text);
}
