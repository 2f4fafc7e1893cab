// What happens to a class, or to a learner, as a whole: a class ends (its members' sessions end,
// its data stays), a class is deleted with everything of it, a learner's own data goes, and the
// instructor's pages hear when a learner's session starts or ends.
import type { ClassLiveMessage } from '../../protocol/classes.ts';
import type { Bindings } from '../env';
import { LabSessions } from '../sessions/lab-sessions';
import { ClassRecords } from './class-records';
import type { ClassRow } from './class-state';
import { labsOf, summaryOf } from './class-state';

/** Where a class's changes go: its room's stub, or the room itself. */
export interface ClassChannel {
  push(message: ClassLiveMessage): unknown;
}

/** The room of a class, reached by its id (class-room.ts names it so). */
const roomOf = (env: Bindings, classID: string): ClassChannel => env.CLASS_ROOM.get(env.CLASS_ROOM.idFromName(classID));

/** Sessions of the class's present members, on the class's labs, that have not ended. */
async function liveSessionsOf(env: Bindings, row: ClassRow, memberID?: string): Promise<{ id: string; learner_id: string; state: string }[]> {
  const { results } = await env.DB.prepare(
    `SELECT s.id, s.learner_id, s.state FROM lab_sessions s JOIN class_members m ON m.learner_id = s.learner_id
     WHERE m.class_id = ?1 AND m.left_at IS NULL AND (?2 IS NULL OR m.member_id = ?2) AND s.state != 'ended' AND s.lab IN (SELECT value FROM json_each(?3))`,
  )
    .bind(row.id, memberID ?? null, row.labs)
    .all<{ id: string; learner_id: string; state: string }>();
  return results;
}

/** Ends the class now (or at its end time, once passed): its members' sessions end, help ends, its data stays. */
export async function endClass(env: Bindings, row: ClassRow, room: ClassChannel = roomOf(env, row.id)): Promise<ClassRow> {
  const now = Date.now();
  const at = row.ends_at && Date.parse(row.ends_at) <= now ? row.ends_at : new Date(now).toISOString();
  const ended = (await env.DB.prepare('UPDATE classes SET ended_at = COALESCE(ended_at, ?) WHERE id = ? RETURNING *').bind(at, row.id).first<ClassRow>())!;
  const records = new ClassRecords(env);
  const helped = (await records.members(row.id)).filter((member) => member.help_requested === 1);
  for (const member of helped) await records.setHelp(member, false);
  const sessions = new LabSessions(env);
  await Promise.allSettled((await liveSessionsOf(env, row)).map((session) => sessions.end(session.learner_id, session.id)));
  await room.push({ type: 'class', class: summaryOf(ended, now) });
  for (const member of helped) await room.push({ type: 'help', learner: member.member_id, requested: false });
  console.log(JSON.stringify({ event: 'class.ended', class: row.id }));
  return ended;
}

/** One more extension for the running sessions of one member, or of every present member; returns how many were extended. */
export async function extendClass(env: Bindings, row: ClassRow, memberID?: string): Promise<number> {
  const sessions = new LabSessions(env);
  const running = (await liveSessionsOf(env, row, memberID)).filter((session) => session.state === 'running');
  const results = await Promise.allSettled(running.map((session) => sessions.extend(session.learner_id, session.id)));
  return results.filter((result) => result.status === 'fulfilled').length;
}

/** Everything of the class goes: its events, cells, members and the class itself. */
export async function eraseClass(env: Bindings, classID: string): Promise<void> {
  await env.DB.batch(
    ['class_events', 'class_cells', 'class_members', 'classes'].map((table) => env.DB.prepare(`DELETE FROM ${table} WHERE ${table === 'classes' ? 'id' : 'class_id'} = ?`).bind(classID)),
  );
}

/** A learner's own data goes: their sessions end, then their progress, sessions, memberships and what classes kept of them. */
export async function forgetLearner(env: Bindings, learnerID: string): Promise<void> {
  const sessions = new LabSessions(env);
  const { results: live } = await env.DB.prepare("SELECT id FROM lab_sessions WHERE learner_id = ? AND state != 'ended'").bind(learnerID).all<{ id: string }>();
  await Promise.allSettled(live.map((session) => sessions.end(learnerID, session.id)));
  const { results: memberships } = await env.DB.prepare('SELECT class_id, member_id FROM class_members WHERE learner_id = ?').bind(learnerID).all<{ class_id: string; member_id: string }>();
  const ofMember = 'WHERE (class_id, member_id) IN (SELECT class_id, member_id FROM class_members WHERE learner_id = ?)';
  await env.DB.batch([
    env.DB.prepare(`DELETE FROM class_events ${ofMember}`).bind(learnerID),
    env.DB.prepare(`DELETE FROM class_cells ${ofMember}`).bind(learnerID),
    env.DB.prepare('DELETE FROM class_members WHERE learner_id = ?').bind(learnerID),
    env.DB.prepare('DELETE FROM progress WHERE learner_id = ?').bind(learnerID),
    env.DB.prepare('DELETE FROM lab_sessions WHERE learner_id = ?').bind(learnerID),
    env.DB.prepare('DELETE FROM learners WHERE id = ?').bind(learnerID),
  ]);
  for (const { class_id, member_id } of memberships) await roomOf(env, class_id).push({ type: 'removed', learner: member_id });
  console.log(JSON.stringify({ event: 'learner.forgotten', classes: memberships.length, sessions: live.length }));
}

/** Whether the learner has a session running on one of the labs. */
export async function isActive(env: Pick<Bindings, 'DB'>, learnerID: string, labs: string[]): Promise<boolean> {
  const row = await env.DB.prepare("SELECT 1 AS yes FROM lab_sessions WHERE learner_id = ? AND state = 'running' AND lab IN (SELECT value FROM json_each(?)) LIMIT 1")
    .bind(learnerID, JSON.stringify(labs))
    .first();
  return row !== null;
}

/** A learner's session started or ended: their class's pages show whether they are active. */
export async function pushPresence(env: Bindings, learnerID: string): Promise<void> {
  // Called from a session's transitions, which never wait on a class failing: a failure is logged.
  try {
    const current = await new ClassRecords(env).current(learnerID);
    if (!current) return;
    const active = await isActive(env, learnerID, labsOf(current.row));
    await roomOf(env, current.row.id).push({ type: 'cells', learner: current.member.member_id, cells: [], active });
  } catch (error) {
    console.log(JSON.stringify({ event: 'class.presence_failed', error: String(error) }));
  }
}

export { roomOf };

/** The learner leaves their class: their help request ends; the class keeps what they did. */
export async function leaveClass(env: Bindings, learnerID: string): Promise<void> {
  const records = new ClassRecords(env);
  const current = await records.current(learnerID);
  if (!current) return;
  const room = roomOf(env, current.row.id);
  if (current.member.help_requested === 1 && (await records.setHelp(current.member, false))) {
    await room.push({ type: 'help', learner: current.member.member_id, requested: false });
  }
  await records.leave(learnerID);
  await room.push({ type: 'cells', learner: current.member.member_id, cells: [], active: false });
}
