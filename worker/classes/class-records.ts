// Classes and their members as D1 keeps them: making a class with a unique join code, finding it
// by code or id, joining (one class at a time), leaving, and asking for help.
import type { ClassLearner, CreateClassRequest } from '../../protocol/classes.ts';
import type { Bindings } from '../env';
import { newClassID, newJoinCode, newMemberID, secretHash } from './class-secrets';
import type { ClassRow } from './class-state';

export interface MemberRow {
  class_id: string;
  member_id: string;
  learner_id: string;
  number: number;
  display_name: string | null;
  joined_at: string;
  left_at: string | null;
  help_requested: number;
}

/** A member as the instructor sees them (their cells apart). */
export function learnerOf(member: MemberRow, active: boolean): Omit<ClassLearner, 'cells'> {
  return { id: member.member_id, number: member.number, displayName: member.display_name, joinedAt: member.joined_at, active, helpRequested: member.help_requested === 1 };
}

/** Tries for a join code nobody holds: with 31⁶ codes, a second try is already rare. */
const joinCodeTries = 8;

export class ClassRecords {
  #db: D1Database;

  constructor(env: Pick<Bindings, 'DB'>) {
    this.#db = env.DB;
  }

  async create(request: CreateClassRequest & { labs: string[] }, secret: string, now = new Date().toISOString()): Promise<ClassRow> {
    const hash = await secretHash(secret);
    for (let attempt = 0; attempt < joinCodeTries; attempt++) {
      const row: ClassRow = {
        id: newClassID(),
        name: request.name,
        labs: JSON.stringify(request.labs),
        join_code: newJoinCode(),
        secret_hash: hash,
        starts_at: request.startsAt ?? null,
        ends_at: request.endsAt ?? null,
        ended_at: null,
        created_at: now,
      };
      const inserted = await this.#db
        .prepare('INSERT INTO classes (id, name, labs, join_code, secret_hash, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .bind(row.id, row.name, row.labs, row.join_code, row.secret_hash, row.starts_at, row.ends_at, row.created_at)
        .run();
      if (inserted.meta.changes === 1) return row;
    }
    throw new Error(`No free join code after ${joinCodeTries} tries.`);
  }

  byID(id: string): Promise<ClassRow | null> {
    return this.#db.prepare('SELECT * FROM classes WHERE id = ?').bind(id).first<ClassRow>();
  }

  byCode(code: string): Promise<ClassRow | null> {
    return this.#db.prepare('SELECT * FROM classes WHERE join_code = ?').bind(code).first<ClassRow>();
  }

  /** The class the learner is in now, if any. */
  async current(learnerID: string): Promise<{ row: ClassRow; member: MemberRow } | null> {
    const member = await this.#db.prepare('SELECT * FROM class_members WHERE learner_id = ? AND left_at IS NULL').bind(learnerID).first<MemberRow>();
    if (!member) return null;
    const row = await this.byID(member.class_id);
    return row ? { row, member } : null;
  }

  member(classID: string, memberID: string): Promise<MemberRow | null> {
    return this.#db.prepare('SELECT * FROM class_members WHERE class_id = ? AND member_id = ?').bind(classID, memberID).first<MemberRow>();
  }

  async members(classID: string): Promise<MemberRow[]> {
    return (await this.#db.prepare('SELECT * FROM class_members WHERE class_id = ? ORDER BY number').bind(classID).all<MemberRow>()).results;
  }

  /**
   * The learner joins (or joins again, keeping their id and number; a name given replaces theirs),
   * leaving the class they were in. Returns their membership, and the one they left.
   */
  async join(learnerID: string, classID: string, displayName: string | undefined, now = new Date().toISOString()): Promise<{ member: MemberRow; left: MemberRow | null }> {
    const before = await this.#db.prepare('SELECT * FROM class_members WHERE learner_id = ? AND left_at IS NULL').bind(learnerID).first<MemberRow>();
    const left = before && before.class_id !== classID ? before : null;
    const [, joined] = await this.#db.batch<MemberRow>([
      this.#db.prepare('UPDATE class_members SET left_at = ?, help_requested = 0 WHERE learner_id = ? AND left_at IS NULL AND class_id != ?').bind(now, learnerID, classID),
      // The next number is read and taken in one statement: D1 runs statements one at a time.
      this.#db
        .prepare(
          `INSERT INTO class_members (class_id, member_id, learner_id, number, display_name, joined_at)
           SELECT ?1, ?2, ?3, COALESCE(MAX(number), 0) + 1, ?4, ?5 FROM class_members WHERE class_id = ?1
           ON CONFLICT (class_id, learner_id) DO UPDATE SET left_at = NULL, display_name = COALESCE(excluded.display_name, class_members.display_name)
           RETURNING *`,
        )
        .bind(classID, newMemberID(), learnerID, displayName ?? null, now),
    ]);
    return { member: joined.results[0], left };
  }

  /** The learner leaves their class (its grid keeps what they did); returns the membership they left. */
  async leave(learnerID: string, now = new Date().toISOString()): Promise<MemberRow | null> {
    const before = await this.#db.prepare('SELECT * FROM class_members WHERE learner_id = ? AND left_at IS NULL').bind(learnerID).first<MemberRow>();
    if (before) await this.#db.prepare('UPDATE class_members SET left_at = ?, help_requested = 0 WHERE class_id = ? AND member_id = ?').bind(now, before.class_id, before.member_id).run();
    return before;
  }

  /** Help asked or no longer, kept on the learner's timeline. Returns whether it changed. */
  async setHelp(member: Pick<MemberRow, 'class_id' | 'member_id'>, requested: boolean, now = new Date().toISOString()): Promise<boolean> {
    const changed = await this.#db
      .prepare('UPDATE class_members SET help_requested = ? WHERE class_id = ? AND member_id = ? AND help_requested != ?')
      .bind(requested ? 1 : 0, member.class_id, member.member_id, requested ? 1 : 0)
      .run();
    if (changed.meta.changes === 0) return false;
    await this.#db
      .prepare("INSERT INTO class_events (class_id, member_id, at, kind, requested) VALUES (?, ?, ?, 'help', ?)")
      .bind(member.class_id, member.member_id, now, requested ? 1 : 0)
      .run();
    return true;
  }
}
