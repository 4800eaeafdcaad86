import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { COLORS } from './claude-code-facts.js';
import { CAPABILITIES, type Capability } from './schemas/analysis.js';
import type { Tier } from './schemas/requirement.js';
import { lazyModule } from './lazy-module.js';

const yaml = lazyModule<typeof Yaml>('yaml', import.meta.url);

const SECTION_KEYS = ['role', 'responsibilities', 'workflow', 'practices', 'constraints', 'checklist', 'output', 'collaboration', 'orchestration'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

const SectionSchema = z.object({ key: z.enum(SECTION_KEYS), heading: z.string().min(1) });
const TiersSchema = z.object({
  simple: z.array(SectionSchema).min(1),
  standard: z.array(SectionSchema).min(1),
  complex: z.array(SectionSchema).min(1),
});
/**
 * A capability's text, or two where it depends on the agent's tools: `withShell` may tell it to run
 * things (tests, a reproduction, a benchmark), `withEdit` to change files; the `without` form is for
 * an agent that cannot, so it is never told to.
 */
const ShellTextSchema = z.union([z.string().min(1), z.strictObject({ withShell: z.string().min(1), withoutShell: z.string().min(1) })]);
/** A text, or its forms by the agent's tools: with and without Bash, with and without Edit (each of those with and without Bash). */
const TemplateTextSchema = z.union([ShellTextSchema, z.strictObject({ withEdit: ShellTextSchema, withoutEdit: ShellTextSchema })]);
export type TemplateText = z.infer<typeof TemplateTextSchema>;

const CapabilityTemplateSchema = z.object({
  noun: z.string().regex(/^[a-z]+(-[a-z]+)*$/),
  does: z.array(TemplateTextSchema).min(1),
  steps: z.array(TemplateTextSchema).min(1),
  checklist: z.array(TemplateTextSchema).min(1),
  output: TemplateTextSchema,
});
const CapabilitiesSchema = z.record(z.enum(CAPABILITIES), CapabilityTemplateSchema).refine(
  (caps) => CAPABILITIES.every((c) => c in caps),
  'every capability needs a template',
);
const DomainTemplateSchema = z.object({
  label: z.string(),
  color: z.enum(COLORS),
  practices: z.array(z.string()).min(1),
  collaborators: z.array(z.string()).min(1),
});
const DomainsSchema = z.record(z.string(), DomainTemplateSchema).refine((d) => 'general' in d, 'a general domain is required');

export type TemplateSection = z.infer<typeof SectionSchema>;
export type CapabilityTemplate = z.infer<typeof CapabilityTemplateSchema>;
export type DomainTemplate = z.infer<typeof DomainTemplateSchema>;

/** The template data of every tier, capability and domain. */
export interface Templates {
  tiers: Record<Tier, TemplateSection[]>;
  capabilities: Record<Capability, CapabilityTemplate>;
  domains: Record<string, DomainTemplate>;
}

const TEMPLATE_DIR = new URL('../templates/', import.meta.url);
let loaded: Templates | undefined;

function readYaml<T>(file: string, schema: z.ZodType<T>): T {
  const result = schema.safeParse(yaml().parse(readFileSync(new URL(file, TEMPLATE_DIR), 'utf8')));
  if (!result.success) throw new Error(`template ${file} is invalid: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads the template files (packages/core/templates) once and returns them from memory after. */
export function loadTemplates(): Templates {
  loaded ??= {
    tiers: readYaml('tiers.yaml', TiersSchema),
    capabilities: readYaml('capabilities.yaml', CapabilitiesSchema) as Record<Capability, CapabilityTemplate>,
    domains: readYaml('domains.yaml', DomainsSchema),
  };
  return loaded;
}

/** The domain template, or the general one for a domain without its own. */
export function domainTemplate(templates: Templates, domain: string): DomainTemplate {
  return templates.domains[domain] ?? (templates.domains['general'] as DomainTemplate);
}
