import { z } from 'zod';

/** C0 controls, DEL and C1 controls: printed raw, they recolour or rewrite a terminal (ESC, CSI) or split a line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The reason given for an id, a batch name or a tenant holding one. */
export const HAS_CONTROL_CHARACTERS = 'must not contain control characters (such as ESC or a line break)';

/**
 * What names a thing and is shown back to people (an input's id, a batch name, a tenant): 1 to `max`
 * characters, none of them a control character, so a status row or an error quoting it stays one line.
 */
export function labelSchema(max: number): z.ZodString {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), HAS_CONTROL_CHARACTERS);
}

const SHORT_ESCAPES: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/** Text escaped as JSON escapes it (`\n`, `\u001b`), C1 controls and DEL included, which JSON leaves raw. */
export function escapeControls(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** User text inside a message: clipped to `max` characters and quoted JSON-style, so it can never rewrite the terminal. */
export function quoted(text: string, max = 40): string {
  return escapeControls(JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text));
}
