// What an agent reports of a lab session's steps and commands, kept for the learner's class: the
// grid's cells change, the learner's timeline grows, and the class's room tells the instructors'
// pages. A learner in no class, or on a lab their class doesn't have, leaves nothing behind.
import type { ActivityReport, ClassEvent, GridCell } from '../../protocol/classes.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { Bindings } from '../env';
import { cellChanged, mergeCell, type StoredCell } from './cell-merge';
import { endedAt, type ClassRow } from './class-state';
import { roomOf } from './class-lifecycle';

/** A learner's commands kept on their timeline in one class: the latest, so a busy shell can't fill D1. */
export const commandsKeptPerMember = 500;

export interface CellRow {
  member_id: string;
  lab: string;
  step: string;
  state: 'done' | 'working';
  attempts: number;
  hints_used: number;
  since: string | null;
  passed_at: string | null;
  last_reason: string | null;
}

export function cellOf(row: CellRow): StoredCell {
  return {
    lab: row.lab,
    step: row.step,
    state: row.state,
    attempts: row.attempts,
    hintsUsed: row.hints_used,
    since: row.since,
    passedAt: row.passed_at,
    lastReason: row.last_reason ? (JSON.parse(row.last_reason) as GridCell['lastReason']) : null,
  };
}

/** The statement that adds one event to a member's timeline. */
export function eventInsert(db: D1Database, classID: string, memberID: string, event: ClassEvent): D1PreparedStatement {
  return db
    .prepare('INSERT INTO class_events (class_id, member_id, at, kind, lab, step, reason, command, host, exit_code, requested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .bind(
      classID,
      memberID,
      event.at,
      event.kind,
      event.lab ?? null,
      event.step ?? null,
      event.reason ? JSON.stringify(event.reason) : null,
      event.command ?? null,
      event.host ?? null,
      event.exitCode ?? null,
      event.requested === undefined ? null : Number(event.requested),
    );
}

/**
 * Records a report from `agentID` of a session it holds. Refused: a session placed elsewhere or of
 * another lab (404), a step the lab lacks (400). Returns how many cells changed and commands were kept.
 */
export async function recordActivity(env: Bindings, agentID: string, report: ActivityReport): Promise<{ cells: number; commands: number }> {
  // The session, its learner's class now and that class, in one query: a report costs three round trips to D1.
  const found = await env.DB.prepare(
    `SELECT s.lab, m.class_id, m.member_id, c.labs, c.ends_at, c.ended_at FROM lab_sessions s
     LEFT JOIN class_members m ON m.learner_id = s.learner_id AND m.left_at IS NULL LEFT JOIN classes c ON c.id = m.class_id
     WHERE s.id = ? AND s.agent_id = ?`,
  )
    .bind(report.session, agentID)
    .first<{ lab: string; class_id: string | null; member_id: string | null } & Partial<Pick<ClassRow, 'labs' | 'ends_at' | 'ended_at'>>>();
  if (!found || found.lab !== report.lab) throw new APIFailure('session_not_found', `Agent ${agentID} holds no session ${report.session} of lab ${report.lab}.`);
  const steps = new Set(labs.get(report.lab)?.steps.map((step) => step.id));
  const unknown = report.steps.filter((step) => !steps.has(step.step));
  if (unknown.length > 0) throw new APIFailure('bad_request', `Lab ${report.lab} has no step ${unknown.map((step) => step.step).join(', ')}.`);

  const now = Date.now();
  const { class_id: classID, member_id: memberID } = found;
  const inClass = classID && memberID && found.labs && endedAt({ ends_at: found.ends_at ?? null, ended_at: found.ended_at ?? null }, now) === null;
  if (!inClass || !(JSON.parse(found.labs!) as string[]).includes(report.lab)) return { cells: 0, commands: 0 };

  const { results } = await env.DB.prepare('SELECT * FROM class_cells WHERE class_id = ? AND member_id = ? AND lab = ?').bind(classID, memberID, report.lab).all<CellRow>();
  const previous = new Map(results.map((row) => [row.step, cellOf(row)]));
  const at = new Date(now).toISOString();
  const changed: StoredCell[] = [];
  const events: ClassEvent[] = [];
  for (const step of report.steps) {
    const merged = mergeCell(report.lab, previous.get(step.step), step, at);
    if (!cellChanged(previous.get(step.step), merged.cell)) continue;
    changed.push(merged.cell);
    previous.set(step.step, merged.cell); // a step twice in one report merges twice
    events.push(...merged.events);
  }
  for (const command of report.commands) events.push({ at: command.at, kind: 'command', command: command.command, host: command.host, exitCode: command.exitCode });

  const statements = [
    ...changed.map((cell) =>
      env.DB.prepare(
        `INSERT INTO class_cells (class_id, member_id, lab, step, state, attempts, hints_used, since, passed_at, last_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (class_id, member_id, lab, step) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, hints_used = excluded.hints_used,
           since = excluded.since, passed_at = excluded.passed_at, last_reason = excluded.last_reason`,
      ).bind(classID, memberID, cell.lab, cell.step, cell.state, cell.attempts, cell.hintsUsed, cell.since, cell.passedAt, cell.lastReason ? JSON.stringify(cell.lastReason) : null),
    ),
    ...events.map((event) => eventInsert(env.DB, classID, memberID, event)),
  ];
  if (report.commands.length > 0) {
    statements.push(
      env.DB.prepare(
        `DELETE FROM class_events WHERE rowid IN (SELECT rowid FROM class_events WHERE class_id = ? AND member_id = ? AND kind = 'command' ORDER BY at DESC LIMIT -1 OFFSET ?)`,
      ).bind(classID, memberID, commandsKeptPerMember),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  // A report says the session runs: the learner is active, whatever changed.
  await roomOf(env, classID).push({ type: 'cells', learner: memberID, cells: changed, active: true });
  return { cells: changed.length, commands: report.commands.length };
}
