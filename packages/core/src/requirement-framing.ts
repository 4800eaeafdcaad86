/**
 * The words that ask for an agent rather than say what it does: "I need an agent that", "Create a
 * subagent to", "Please build an assistant for", "I need something to", "Help me". Naming reads the task after them, and
 * analysis takes no capability from them ("build", "create" there ask for the agent itself).
 */
const LEADING_BOILERPLATE =
  /^(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:(?:i|we)\s+(?:need|want|would like)\s+|(?:i|we)'d like\s+)?(?:(?:create|build|make|generate|write|design|give me)\s+)?(?:me\s+|us\s+)?(?:(?:an?|the|one)\s+)?(?:[\w-]+\s+){0,2}?(?:claude(?:\s+code)?\s+)?(?:(?:sub-?agent|agent|assistant|bot|helper|(?<=(?:need|want|like)\s+)something)\s*)(?:(?:that|which|who)\s+(?:can\s+|will\s+|should\s+)?|to\s+|for\s+|capable\s+of\s+|able\s+to\s+)?/i;

/** "Help me design X", "Can you help us migrate X", "Help our designers turn X into Y", "We need help migrating X": the task is what follows. */
const HELP_ME = /^(?:please\s+)?(?:(?:can|could|would)\s+you\s+)?(?:help\s+(?:me|us|our\s+[\w-]+|the\s+[\w-]+\s+team)\s+(?:to\s+)?|(?:i|we)\s+(?:need|want|would like)\s+(?:some\s+)?help\s+(?:with\s+|to\s+)?)/i;

/** How many characters at the start of a requirement only frame the request. */
export function framingLength(text: string): number {
  const lead = LEADING_BOILERPLATE.exec(text)?.[0].length ?? 0;
  return lead + (HELP_ME.exec(text.slice(lead))?.[0].length ?? 0);
}
