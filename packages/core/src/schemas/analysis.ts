import { z } from 'zod';

export const CAPABILITIES = [
  'create', 'analyze', 'review', 'optimize', 'integrate', 'monitor', 'validate', 'research',
  'migrate', 'test', 'document', 'orchestrate', 'debug', 'deploy', 'secure', 'refactor',
] as const;
export const CapabilitySchema = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof CapabilitySchema>;

export const CONSTRAINT_KINDS = ['read-only', 'no-modify', 'requires-approval', 'no-exec', 'no-network'] as const;
export const ConstraintSchema = z.object({
  kind: z.enum(CONSTRAINT_KINDS),
  /** The words of the requirement that stated it. */
  text: z.string(),
});
export type Constraint = z.infer<typeof ConstraintSchema>;

export const ScaleSchema = z.enum(['small', 'medium', 'enterprise']);
export type Scale = z.infer<typeof ScaleSchema>;

export const DomainScoreSchema = z.object({
  name: z.string(),
  confidence: z.number().min(0).max(1),
});
export type DomainScore = z.infer<typeof DomainScoreSchema>;

/** A framework or library the requirement names, with its Context7-style id. */
export const FrameworkSchema = z.object({
  name: z.string(),
  libraryId: z.string().regex(/^\/[^/]+\/[^/]+/),
  domain: z.string(),
});
export type Framework = z.infer<typeof FrameworkSchema>;

export const AnalysisSchema = z.object({
  /** The requirement, whitespace-normalized. */
  requirement: z.string(),
  /** 'en' when the text reads as English; otherwise analysis is best-effort. */
  language: z.enum(['en', 'other']),
  domains: z.object({
    primary: DomainScoreSchema,
    secondary: z.array(DomainScoreSchema),
  }),
  capabilities: z.array(CapabilitySchema).min(1),
  constraints: z.array(ConstraintSchema),
  scale: ScaleSchema,
  frameworks: z.array(FrameworkSchema),
  /** External systems the agent talks to (GitHub, Slack, Jira, S3 …). */
  integrations: z.array(z.string()),
  /** Architecture patterns that raise complexity (microservices, real-time, ML …). */
  patterns: z.array(z.string()),
  /** What the requirement leaves open, phrased as a question for the agent to settle. */
  ambiguities: z.array(z.string()),
  /** Distinctive words of the requirement that the agent body must mention. */
  keyTerms: z.array(z.string()),
  /** Whether the agent needs to read the web (docs, CVEs, release notes). */
  needsWeb: z.boolean(),
  /** Whether the agent needs to run commands (tests, linters, CLIs). */
  needsShell: z.boolean(),
});
export type Analysis = z.infer<typeof AnalysisSchema>;
