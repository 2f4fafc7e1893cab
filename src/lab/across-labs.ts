// The learner's progress across every lab, as the lesson pages list it: per lab of the catalog, how
// many of its steps are done. Done is what the control plane keeps, and, for the lab on the page,
// what its live checks show passed before the control plane has it.
import type { LabDefinition } from '../labs/lab-definition.ts';

export interface LabTally {
  lab: string;
  done: number;
  total: number;
}

/**
 * Counts each lab's passed steps: `kept` as the control plane answers (lab id → passed steps),
 * `live` the steps the page's own lab shows passed. Steps a lab no longer has are not counted.
 */
export function tallyLabs(catalog: Iterable<LabDefinition>, kept: Readonly<Record<string, readonly { step: string }[]>>, live?: { lab: string; steps: readonly string[] }): LabTally[] {
  return [...catalog].map((lab) => {
    const passed = new Set((kept[lab.id] ?? []).map(({ step }) => step));
    if (live?.lab === lab.id) live.steps.forEach((step) => passed.add(step));
    return { lab: lab.id, done: lab.steps.filter((step) => passed.has(step.id)).length, total: lab.steps.length };
  });
}
