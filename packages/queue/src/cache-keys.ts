import { createHash } from 'node:crypto';
import { normalizeRequirement, type PipelineOptions, type Requirement } from '@agent-factory/core';
import { generatorFingerprint } from './generator-fingerprint.js';

// Keys are hashes: requirements run to 8,000 characters and Redis keys should stay short. The
// generator's fingerprint is part of every key, so an upgraded analyzer never reads an older one's output.
const digest = (parts: readonly unknown[]): string => createHash('sha256').update(JSON.stringify([generatorFingerprint(), ...parts])).digest('base64url');

/** The options that change a Plan besides the requirement itself. */
export type PlanKeyOptions = Pick<PipelineOptions, 'tier' | 'model' | 'models' | 'context7'>;

/**
 * The 'analysis' namespace key of a requirement's Plan (analysis, complexity, tools policy):
 * the whitespace-normalized text plus everything else that changes the plan (tier, model, tier models, Context7).
 */
export function analysisCacheKey(input: Requirement | string, options: PlanKeyOptions = {}): string {
  const req = typeof input === 'string' ? { requirement: input } : input;
  const models = options.models ? Object.entries(options.models).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
  return digest([normalizeRequirement(req.requirement), req.tier ?? options.tier ?? '', req.model ?? options.model ?? '', models, options.context7 === true]);
}

/**
 * The 'research' namespace key of one docs answer: (library id, query). Research is cached per pair,
 * not per requirement, so requirements that read the same library on the same topic share one docs call;
 * compressing the answers to a requirement's budget stays per requirement (it ranks by the requirement's words).
 */
export function researchCacheKey(libraryId: string, query: string): string {
  return digest([libraryId, query]);
}

/**
 * The 'research' namespace key of a library name's resolution (the resolve tool's matches): the name
 * alone, case and spacing aside, so each name is resolved once however its requirements ask.
 */
export function resolveCacheKey(libraryName: string): string {
  // An object, so no (library id, query) pair can digest to the same key.
  return digest([{ resolve: libraryName.trim().replace(/\s+/g, ' ').toLowerCase() }]);
}
