import { textMemo } from '../memo.js';

/** Running something only a shell runs: tests, a suite, linters, a build, a named command. */
const RUN_INSTRUCTION =
  /\b(?:run|execute|running)\s+(?:the\s+|all\s+|its\s+|your\s+|each\s+)?(?:(?:test\s+)?suites?\b|(?:new\s+|existing\s+|unit\s+|integration\s+|e2e\s+|relevant\s+)?tests?\b|linters?\b|the\s+build\b|type[\s-]?checks?\b|migrations?\b|benchmarks?\b|`[^`\n]+`|(?:npm|npx|yarn|pnpm|pytest|cargo|go|make|mvn|gradle|terraform|kubectl|docker|git)\s)/i;
/** Earlier in the sentence: the running is forbidden, or someone else's ("ask the caller to run …"). */
const NOT_THE_AGENTS = /\b(?:never|not|no|don't|without|avoid|instead of|ask|asks|tell|tells|have|let|caller|user|human|conversation|reviewer|team|they)\b[^.;:!?]*$/i;
/** A subsection of things the agent does not do. */
const PROHIBITIONS = /^#{2,6}\s+(?:does not|do not|don't|never|not in scope|out of scope)\b/i;

/** The first line of a body that has the agent itself run something, with its line in the body (1-based). */
export function runInstruction(body: string): { line: number; text: string } | undefined {
  if (!RUN_INSTRUCTION.test(body)) return undefined;
  let prohibited = false;
  let fenced = false;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // A fenced block is an example (another agent's file, a script), not an instruction to this agent.
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    if (line.startsWith('#')) {
      prohibited = PROHIBITIONS.test(line);
      continue;
    }
    const m = prohibited ? null : RUN_INSTRUCTION.exec(line);
    if (m && !NOT_THE_AGENTS.test(line.slice(0, m.index))) return { line: i + 1, text: m[0].trim() };
  }
  return undefined;
}

/** Whether a text (a docs note) has its reader run something only a shell runs; memoized, as every agent reads the same notes. */
export const tellsToRun: (text: string) => boolean = textMemo(10_000, (text) => runInstruction(text) !== undefined);
