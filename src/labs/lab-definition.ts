// The shape of a lab definition, validated when the definition is loaded: a broken one stops the
// build and the agent naming the lab, the field and the fix. Each step's check joins this shape
// with the check runner.
import { z } from 'zod';
import { maxHostsPerSession } from '../../protocol/agent.ts';

export const labIDPattern = /^[a-z][a-z0-9-]{1,40}$/;

const localized = z.strictObject({
  'pt-BR': z.string().trim().min(1, 'the Portuguese text is missing'),
  en: z.string().trim().min(1, 'the English text is missing'),
});

export const labStepSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'use lower-case letters, digits and dashes, starting with a letter'),
  title: localized,
});
export type LabStep = z.infer<typeof labStepSchema>;

export const labDefinitionSchema = z.strictObject({
  id: z.string().regex(labIDPattern, 'use lower-case letters, digits and dashes, starting with a letter'),
  /** The lesson the lab sits beside: its slug under src/content/docs (root locale), e.g. `arquitetura/fluxo`. */
  lesson: z.string().regex(/^[a-z0-9-]+(\/[a-z0-9-]+)*$/, 'a lesson slug like arquitetura/fluxo'),
  title: localized,
  /** How many sandbox hosts (host1…) the learner gets. */
  hosts: z.number().int().min(1).max(maxHostsPerSession),
  steps: z
    .array(labStepSchema)
    .min(1, 'a lab has at least one step')
    .refine((steps) => new Set(steps.map((step) => step.id)).size === steps.length, 'two steps have the same id'),
});
export type LabDefinition = z.infer<typeof labDefinitionSchema>;

export class LabDefinitionError extends Error {
  override name = 'LabDefinitionError';
}

/** Validates a definition; `source` names its file in the error. */
export function defineLab(source: string, definition: z.input<typeof labDefinitionSchema>): LabDefinition {
  const parsed = labDefinitionSchema.safeParse(definition);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(definition)'}: ${issue.message}`);
  throw new LabDefinitionError(`Lab definition ${source} is invalid:\n${problems.join('\n')}\nFix the fields above in ${source}.`);
}

/** The catalog, checked as a whole: ids are unique. */
export function labCatalog(definitions: readonly LabDefinition[]): ReadonlyMap<string, LabDefinition> {
  const catalog = new Map<string, LabDefinition>();
  for (const lab of definitions) {
    if (catalog.has(lab.id)) throw new LabDefinitionError(`Two labs have the id "${lab.id}": rename one in src/labs/${lab.id}/lab.ts.`);
    catalog.set(lab.id, lab);
  }
  return catalog;
}
