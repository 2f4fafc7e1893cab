// The shape of a lab definition, validated when the definition is loaded: a broken one stops the
// build and the agent naming the lab, the field and the fix. Each step's check joins this shape
// with the check runner.
import { z } from 'zod';
import { maxHostsPerSession } from '../../protocol/agent.ts';
import { conditionSchema, hostNameSchema } from './checks/conditions.ts';
import { builtInReasons, reasonsOf, type BuiltInReason, type Locale } from './checks/reasons.ts';

export const labIDPattern = /^[a-z][a-z0-9-]{1,40}$/;

const localized = z.strictObject({
  'pt-BR': z.string().trim().min(1, 'the Portuguese text is missing'),
  en: z.string().trim().min(1, 'the English text is missing'),
});

const idSchema = z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'use lower-case letters, digits and dashes, starting with a letter');

/** A command typed into a host's terminal: a run button, a line of a solution or of a wrong attempt. */
const commandSchema = z.strictObject({
  host: hostNameSchema,
  run: z.string().trim().min(1, 'the command is empty').max(2000).refine((text) => !text.includes('\n'), 'one line per command: split it into several'),
});

/** A common mistake the lab recognizes: when the check fails and `when` holds, the learner reads this. */
const diagnosisSchema = z.strictObject({
  reason: idSchema.refine((code) => !(code in builtInReasons), 'this code is a built-in reason: name the mistake in your own words'),
  /** The built-in reasons it explains better (e.g. `container-stopped`); any, when not given. */
  refines: z.array(z.enum(Object.keys(builtInReasons) as [BuiltInReason, ...BuiltInReason[]])).min(1).optional(),
  when: conditionSchema,
  message: localized,
});
/** A diagnosis as a definition writes it. */
export type DiagnosisInput = z.input<typeof diagnosisSchema>;

/** A hint opens after this many failed checks of the step, or this many seconds on it, whichever comes first. */
const hintSchema = z.strictObject({
  after: z.strictObject({ failures: z.number().int().min(1).optional(), seconds: z.number().int().min(1).optional() }).refine((after) => after.failures !== undefined || after.seconds !== undefined, 'give failures, seconds or both'),
  text: localized,
});

export const labStepSchema = z.strictObject({
  id: idSchema,
  title: localized,
  /** Run buttons beside the step. */
  commands: z.array(commandSchema).default([]),
  /** Every condition must hold for the step to pass. */
  check: z.array(conditionSchema, { error: 'a list of conditions, e.g. [{ kind: "pulled", host: "host1", image: "postgres" }]' }).min(1, 'a step has at least one condition to check'),
  diagnoses: z.array(diagnosisSchema).default([]),
  hints: z.array(hintSchema).default([]),
  /** What a learner types to pass the step, in order: CI runs it in a real sandbox. */
  solution: z.array(commandSchema, { error: 'the commands that pass the step, e.g. [{ host: "host1", run: "docker pull postgres" }]' }).min(1, 'a step has a solution: the commands that pass it'),
});
export type LabStep = z.infer<typeof labStepSchema>;

/** A way to get a step wrong: after its commands, the step fails with `reason`. */
const wrongAttemptSchema = z.strictObject({
  id: idSchema,
  step: idSchema,
  reason: z.string().min(1),
  script: z.array(commandSchema).min(1),
});

export const labDefinitionSchema = z
  .strictObject({
    id: idSchema,
    /** The lesson the lab sits beside: its slug under src/content/docs (root locale), e.g. `arquitetura/fluxo`. */
    lesson: z.string().regex(/^[a-z0-9-]+(\/[a-z0-9-]+)*$/, 'a lesson slug like arquitetura/fluxo'),
    title: localized,
    /** How many sandbox hosts (host1…) the learner gets. */
    hosts: z.number().int().min(1).max(maxHostsPerSession),
    steps: z
      .array(labStepSchema)
      .min(1, 'a lab has at least one step')
      .refine((steps) => new Set(steps.map((step) => step.id)).size === steps.length, 'two steps have the same id'),
    wrongAttempts: z.array(wrongAttemptSchema).default([]),
  })
  .superRefine((lab, context) => {
    const hostIndex = (host: string) => Number(host.slice('host'.length));
    const beyond = (host: string, path: (string | number)[]) => {
      if (hostIndex(host) > lab.hosts) context.addIssue({ code: 'custom', path: [...path, 'host'], message: `the lab has ${lab.hosts} host(s): use host1…host${lab.hosts}, or raise hosts` });
    };
    lab.steps.forEach((step, s) => {
      step.commands.forEach((command, i) => beyond(command.host, ['steps', s, 'commands', i]));
      step.solution.forEach((command, i) => beyond(command.host, ['steps', s, 'solution', i]));
      step.check.forEach((condition, i) => beyond(condition.host, ['steps', s, 'check', i]));
      step.diagnoses.forEach((diagnosis, i) => beyond(diagnosis.when.host, ['steps', s, 'diagnoses', i, 'when']));
    });
    lab.wrongAttempts.forEach((attempt, a) => {
      attempt.script.forEach((command, i) => beyond(command.host, ['wrongAttempts', a, 'script', i]));
      const step = lab.steps.find((candidate) => candidate.id === attempt.step);
      if (!step) {
        context.addIssue({ code: 'custom', path: ['wrongAttempts', a, 'step'], message: `no step "${attempt.step}": use one of ${lab.steps.map((candidate) => candidate.id).join(', ')}` });
        return;
      }
      const possible = reasonsOfStep(step);
      if (!possible.includes(attempt.reason)) {
        context.addIssue({ code: 'custom', path: ['wrongAttempts', a, 'reason'], message: `step "${step.id}" cannot fail with "${attempt.reason}": its reasons are ${possible.join(', ')}` });
      }
    });
  });
export type LabDefinition = z.infer<typeof labDefinitionSchema>;

/** The reasons a step can give when it is not done: its conditions' built-in ones, then its diagnoses. */
export function reasonsOfStep(step: Pick<LabStep, 'check' | 'diagnoses'>): string[] {
  const builtIn = step.check.flatMap((condition) => reasonsOf[condition.kind]);
  return [...new Set<string>([...builtIn, ...step.diagnoses.map((diagnosis) => diagnosis.reason)])];
}

/** A reason's message in a language: the step's own diagnosis, or the built-in text. */
export function reasonMessage(step: Pick<LabStep, 'diagnoses'>, code: string, locale: Locale): string | undefined {
  const own = step.diagnoses.find((diagnosis) => diagnosis.reason === code);
  if (own) return own.message[locale];
  return code in builtInReasons ? builtInReasons[code as BuiltInReason][locale] : undefined;
}

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
