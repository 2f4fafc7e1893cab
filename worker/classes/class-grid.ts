// What the instructor reads of a class: the grid (learners × steps), a learner's timeline and the
// class's whole event history. A member's cells are what the agents reported while they were in
// the class, completed by the learner's recorded progress (steps passed before they joined, or
// whose pass was reported apart), so the grid never shows a passed step as not done.
import type { ClassEvent, ClassGrid, ClassLearner, GridCell } from '../../protocol/classes.ts';
import { labs as catalog } from '../../src/labs/index.ts';
import type { Bindings } from '../env';
import { cellOf, type CellRow } from './class-activity';
import { learnerOf, type MemberRow } from './class-records';
import { labsOf, summaryOf, type ClassRow } from './class-state';

interface PassRow {
  member_id: string;
  lab: string;
  step: string;
  completed_at: string;
  failures: number;
  hints_used: number;
}

/** A step's place in the class: its lab's place, then the step's place in the lab (steps the catalog no longer has go last). */
function stepOrder(classLabs: string[]): (cell: Pick<GridCell, 'lab' | 'step'>) => number {
  const places = new Map<string, number>();
  classLabs.forEach((lab, l) => catalog.get(lab)?.steps.forEach((step, s) => places.set(`${lab}/${step.id}`, l * 1000 + s)));
  return (cell) => places.get(`${cell.lab}/${cell.step}`) ?? classLabs.indexOf(cell.lab) * 1000 + 999;
}

export async function classGrid(env: Pick<Bindings, 'DB'>, row: ClassRow, now = Date.now()): Promise<ClassGrid> {
  const classLabs = labsOf(row);
  const [members, cells, passes, active] = await env.DB.batch<unknown>([
    env.DB.prepare('SELECT * FROM class_members WHERE class_id = ? ORDER BY number').bind(row.id),
    env.DB.prepare('SELECT member_id, lab, step, state, attempts, hints_used, since, passed_at, last_reason FROM class_cells WHERE class_id = ?').bind(row.id),
    env.DB.prepare(
      `SELECT m.member_id, p.lab, p.step, p.completed_at, p.failures, p.hints_used FROM class_members m JOIN progress p ON p.learner_id = m.learner_id
       WHERE m.class_id = ? AND p.lab IN (SELECT value FROM json_each(?))`,
    ).bind(row.id, row.labs),
    env.DB.prepare(
      `SELECT DISTINCT m.member_id FROM class_members m JOIN lab_sessions s ON s.learner_id = m.learner_id
       WHERE m.class_id = ? AND m.left_at IS NULL AND s.state = 'running' AND s.lab IN (SELECT value FROM json_each(?))`,
    ).bind(row.id, row.labs),
  ]);
  const byMember = new Map<string, Map<string, GridCell>>();
  const cellsOf = (member: string) => byMember.get(member) ?? byMember.set(member, new Map()).get(member)!;
  for (const cell of cells.results as CellRow[]) if (classLabs.includes(cell.lab)) cellsOf(cell.member_id).set(`${cell.lab}/${cell.step}`, cellOf(cell));
  for (const pass of passes.results as PassRow[]) {
    const key = `${pass.lab}/${pass.step}`;
    const cell = cellsOf(pass.member_id).get(key);
    if (cell?.state === 'done') continue;
    cellsOf(pass.member_id).set(key, {
      lab: pass.lab,
      step: pass.step,
      state: 'done',
      attempts: Math.max(cell?.attempts ?? 0, pass.failures),
      hintsUsed: Math.max(cell?.hintsUsed ?? 0, pass.hints_used),
      since: cell?.since ?? null,
      passedAt: pass.completed_at,
      lastReason: cell?.lastReason ?? null,
    });
  }
  const activeMembers = new Set((active.results as { member_id: string }[]).map((member) => member.member_id));
  const order = stepOrder(classLabs);
  const learners: ClassLearner[] = (members.results as MemberRow[]).map((member) => ({
    ...learnerOf(member, activeMembers.has(member.member_id)),
    cells: [...(byMember.get(member.member_id)?.values() ?? [])].sort((a, b) => order(a) - order(b)),
  }));
  return { class: summaryOf(row, now), joinCode: row.join_code, learners };
}

interface EventRow {
  member_id: string;
  at: string;
  kind: ClassEvent['kind'];
  lab: string | null;
  step: string | null;
  reason: string | null;
  command: string | null;
  host: string | null;
  exit_code: number | null;
  requested: number | null;
}

function eventOf(row: EventRow): ClassEvent {
  return {
    at: row.at,
    kind: row.kind,
    ...(row.lab === null ? {} : { lab: row.lab }),
    ...(row.step === null ? {} : { step: row.step }),
    ...(row.reason === null ? {} : { reason: JSON.parse(row.reason) as ClassEvent['reason'] }),
    ...(row.command === null ? {} : { command: row.command }),
    ...(row.host === null ? {} : { host: row.host }),
    ...(row.exit_code === null ? {} : { exitCode: row.exit_code }),
    ...(row.requested === null ? {} : { requested: row.requested === 1 }),
  };
}

/** One member's timeline, oldest first. */
export async function timelineOf(env: Pick<Bindings, 'DB'>, classID: string, memberID: string): Promise<ClassEvent[]> {
  const { results } = await env.DB.prepare('SELECT * FROM class_events WHERE class_id = ? AND member_id = ? ORDER BY at, rowid').bind(classID, memberID).all<EventRow>();
  return results.map(eventOf);
}

/** The whole class's events, oldest first, each naming its learner. */
export async function historyOf(env: Pick<Bindings, 'DB'>, classID: string): Promise<(ClassEvent & { learner: string })[]> {
  const { results } = await env.DB.prepare('SELECT * FROM class_events WHERE class_id = ? ORDER BY at, rowid').bind(classID).all<EventRow>();
  return results.map((row) => ({ learner: row.member_id, ...eventOf(row) }));
}
