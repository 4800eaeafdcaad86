/** The pipeline's stages, one BullMQ queue each, in order. */
export const STAGES = ['analyze', 'research', 'generate', 'validate'] as const;
export type Stage = (typeof STAGES)[number];

/** The stage after this one, or undefined after validate. */
export function nextStage(stage: Stage): Stage | undefined {
  return STAGES[STAGES.indexOf(stage) + 1];
}
