// The steps of a class, in the order the grid shows them: its labs in the class's order, each
// lab's steps in the lab's order, read from the lab catalog. Columns, the funnel and the reasons
// per step all follow this order.
import type { Locale } from '../labs/checks/reasons.ts';
import { fillMessage } from '../labs/checks/reasons.ts';
import { labs as catalog } from '../labs/index.ts';
import { reasonMessage, type LabDefinition, type LabStep } from '../labs/lab-definition.ts';

export interface ClassStep {
  lab: string;
  step: string;
  /** 1-based, within its lab: what the column header shows. */
  number: number;
  title: string;
  labTitle: string;
  definition: LabStep;
}

export const stepKey = (cell: { lab: string; step: string }) => `${cell.lab}/${cell.step}`;

export function classSteps(classLabs: readonly string[], locale: Locale, labs: ReadonlyMap<string, LabDefinition> = catalog): ClassStep[] {
  return classLabs.flatMap((labID) => {
    const lab = labs.get(labID);
    if (!lab) return [];
    return lab.steps.map((step, i) => ({ lab: lab.id, step: step.id, number: i + 1, title: step.title[locale], labTitle: lab.title[locale], definition: step }));
  });
}

/** A reason in the page's language (the step's own diagnosis or the built-in text, filled); its code when neither is known. */
export function reasonText(step: Pick<ClassStep, 'definition'> | undefined, reason: { code: string; values: Record<string, string> }, locale: Locale): string {
  const message = step && reasonMessage(step.definition, reason.code, locale);
  return message ? fillMessage(message, reason.values) : reason.code;
}

/** The number of hosts of a lab (help mode opens that many tabs). */
export function hostsOf(labID: string, labs: ReadonlyMap<string, LabDefinition> = catalog): number {
  return labs.get(labID)?.hosts ?? 1;
}
