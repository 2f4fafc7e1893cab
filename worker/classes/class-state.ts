// A class as D1 keeps it, what learners and instructors are told of it, and its clock: when it
// opens, when it ends, and when its data is deleted (CLASS_RETENTION_DAYS after it ends).
import { z } from 'zod';
import { defaultClassRetentionDays, type ClassSummary } from '../../protocol/classes.ts';

export interface ClassRow {
  id: string;
  name: string;
  /** JSON array of lab ids. */
  labs: string;
  join_code: string;
  secret_hash: string;
  starts_at: string | null;
  ends_at: string | null;
  ended_at: string | null;
  created_at: string;
}

const dayMs = 24 * 3600_000;

export const labsOf = (row: Pick<ClassRow, 'labs'>) => JSON.parse(row.labs) as string[];

/** When the class ended (its instructor ended it, or its end time passed), or null while it runs. */
export function endedAt(row: Pick<ClassRow, 'ended_at' | 'ends_at'>, now: number): number | null {
  if (row.ended_at) return Date.parse(row.ended_at);
  if (row.ends_at && Date.parse(row.ends_at) <= now) return Date.parse(row.ends_at);
  return null;
}

export function classState(row: ClassRow, now: number): ClassSummary['state'] {
  if (endedAt(row, now) !== null) return 'ended';
  if (row.starts_at && Date.parse(row.starts_at) > now) return 'not-started';
  return 'open';
}

export function summaryOf(row: ClassRow, now = Date.now()): ClassSummary {
  return { id: row.id, name: row.name, labs: labsOf(row), state: classState(row, now), startsAt: row.starts_at, endsAt: row.ends_at };
}

const retentionSchema = z.coerce
  .number({ error: 'CLASS_RETENTION_DAYS must be a whole number of days, e.g. "90" (wrangler.toml [vars])' })
  .int('CLASS_RETENTION_DAYS must be a whole number of days (wrangler.toml [vars])')
  .positive('CLASS_RETENTION_DAYS must be at least 1 (wrangler.toml [vars])');

/** How long a class's data is kept after it ends; a bad setting throws, naming the variable. */
export function retentionMsOf(env: { CLASS_RETENTION_DAYS?: string }): number {
  const parsed = retentionSchema.safeParse(env.CLASS_RETENTION_DAYS ?? defaultClassRetentionDays);
  if (!parsed.success) throw new Error(`Class settings: ${parsed.error.issues[0].message}.`);
  return parsed.data * dayMs;
}

/**
 * What the class's clock does next, and when: open (tell the instructor's page), end at its end
 * time, delete its data once the retention has passed. Null: nothing until someone ends it.
 */
export function nextMoment(row: ClassRow, now: number, retentionMs: number): { at: number; kind: 'open' | 'end' | 'erase' } | null {
  const ended = endedAt(row, now);
  if (ended !== null && !row.ended_at) return { at: now, kind: 'end' }; // its end time passed: end it (sessions too)
  if (ended !== null) return { at: ended + retentionMs, kind: 'erase' };
  if (row.starts_at && Date.parse(row.starts_at) > now) return { at: Date.parse(row.starts_at), kind: 'open' };
  if (row.ends_at) return { at: Date.parse(row.ends_at), kind: 'end' };
  return null;
}
