// Protocol-shaped class data for the class pages' tests: parsed with the wire schemas, so a fixture
// that drifts from protocol/classes.ts fails where it is made.
import { classGridSchema, type ClassGrid, type ClassLearner, type GridCell } from '../../protocol/classes.ts';
import { classFormatter, type ClassStrings } from './class-strings';
import en from '../content/i18n/en.json' with { type: 'json' };
import pt from '../content/i18n/pt-BR.json' with { type: 'json' };

export const now = Date.parse('2026-12-05T14:30:00.000Z');
export const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

export function cell(lab: string, step: string, fields: Partial<GridCell> = {}): GridCell {
  return { lab, step, state: 'working', attempts: 0, hintsUsed: 0, since: null, passedAt: null, lastReason: null, ...fields };
}

export function learner(number: number, fields: Partial<ClassLearner> = {}): ClassLearner {
  return { id: `m${number}`, number, displayName: null, joinedAt: minutesAgo(60), active: true, helpRequested: false, cells: [], ...fields };
}

export function grid(learners: ClassLearner[], labs = ['arquitetura', 'registries']): ClassGrid {
  return classGridSchema.parse({
    class: { id: 'c1a2b3c4d5e6f7g8', name: 'Oficina de sábado', labs, state: 'open', startsAt: null, endsAt: null },
    joinCode: 'ABC234',
    learners,
  });
}

const strip = (strings: Record<string, string>) => Object.fromEntries(Object.entries(strings).filter(([key]) => key.startsWith('doca.class.'))) as ClassStrings;
export const t = { 'pt-BR': classFormatter(strip(pt)), en: classFormatter(strip(en)) };
