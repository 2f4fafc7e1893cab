// The new-class form read into the control plane's request: the name, the labs ticked (in the
// catalog's order), and the optional start and end typed as local date and time, sent as instants.
// What is wrong comes back as the string keys that say so, field by field.
import { createClassRequestSchema, type CreateClassRequest } from '../../protocol/classes.ts';
import type { ClassStringKey } from './class-strings';

export interface ClassFormInput {
  name: string;
  labs: string[];
  /** `datetime-local` values ('' when left empty), read in the browser's time zone. */
  startsAt: string;
  endsAt: string;
}

export type ClassFormResult = { ok: true; request: CreateClassRequest } | { ok: false; problems: Partial<Record<keyof ClassFormInput, ClassStringKey>> };

/** A `datetime-local` value as an instant; undefined when empty or not a date. */
export function instantOf(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

export function classRequestOf(input: ClassFormInput, now: number): ClassFormResult {
  const problems: Partial<Record<keyof ClassFormInput, ClassStringKey>> = {};
  const name = input.name.trim();
  if (!name) problems.name = 'doca.class.new.nameMissing';
  if (input.labs.length === 0) problems.labs = 'doca.class.new.labsMissing';
  const startsAt = instantOf(input.startsAt);
  const endsAt = instantOf(input.endsAt);
  if (endsAt && startsAt && endsAt <= startsAt) problems.endsAt = 'doca.class.new.endBeforeStart';
  else if (endsAt && Date.parse(endsAt) <= now) problems.endsAt = 'doca.class.new.endInPast';
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const request = createClassRequestSchema.parse({ name, labs: input.labs, ...(startsAt ? { startsAt } : {}), ...(endsAt ? { endsAt } : {}) });
  return { ok: true, request };
}
