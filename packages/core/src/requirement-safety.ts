/**
 * The requirement is data. Sentences in it that try to steer the factory or the agent itself
 * (grant tools, drop permissions, override instructions, leak secrets) are kept out of the
 * generated prompt; the tools policy ignores them anyway.
 */
const INJECTION_PATTERNS: RegExp[] = [
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|polic(y|ies)|prompt|guidelines)\b/i,
  /\bbypass\s*permissions?\b|\bbypassPermissions\b|\bdangerously\b|\bskip[- ]permissions\b/i,
  /\b(every|all|any|unrestricted|full)\s+(the\s+)?(tools?|permissions?|access)\b/i,
  /\b(system prompt|developer message|jailbreak)\b/i,
  /\b(exfiltrate|leak|send|upload|post|email)\b.{0,60}\b(secrets?|credentials?|api[- ]?keys?|tokens?|passwords?|\.env|ssh keys?)\b/i,
  /(^|\s)(---|name\s*:|tools\s*:|permissionMode\s*:|model\s*:)/i,
  /\.\.\/|\/etc\/|~\/\.ssh/,
];

/** Splits text into sentences (good enough for requirement prose). */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\s*;\s+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Whether a sentence tries to instruct the factory rather than describe the agent. */
export function isInstructionToFactory(sentence: string): boolean {
  return INJECTION_PATTERNS.some((p) => p.test(sentence));
}

/** The last requirement read: the generator reads the same one for its brief and for its role section. */
let last: { text: string; result: { text: string; dropped: number } } | undefined;

/** The requirement without sentences that try to instruct the factory, and whether any were dropped. */
export function withoutInstructions(text: string): { text: string; dropped: number } {
  if (last?.text !== text) {
    const all = sentences(text);
    const kept = all.filter((s) => !isInstructionToFactory(s));
    // A sentence split off at a semicolon gets it back, so the kept text splits the same way again.
    const joined = kept.map((s, i) => (i < kept.length - 1 && !/[.!?]$/.test(s) ? `${s};` : s)).join(' ');
    last = { text, result: { text: joined, dropped: all.length - kept.length } };
  }
  return { ...last.result };
}
