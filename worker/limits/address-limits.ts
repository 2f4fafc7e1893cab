// What one client address may do: a Durable Object per address (named by it), so counts are exact
// under concurrency (its calls run one at a time) and a refusal costs one small object call — no
// D1 write, no agent call. D1 with windowed counts would cost a write per request and race between
// reading a count and adding to it.
import { DurableObject } from 'cloudflare:workers';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { Refusal } from '../../protocol/outcome.ts';
import type { Bindings } from '../env';
import { limitsOf } from './settings';

/** Learner creations are counted over this sliding window. */
const windowMs = 60_000;
/**
 * A session admitted moments ago may have no queued row yet (its Start is still running), or a
 * queued row not yet in line: it counts as live meanwhile.
 */
const admittedGraceMs = 60_000;
/** Once at the session cap, Starts are refused from memory for this long before counting again. */
export const fullRecheckMs = 15_000;
/** How often an address with admitted sessions has them counted again, so its storage empties. */
const sweepMs = 10 * 60_000;

/** Admitted, or refused with how long until asking again makes sense. */
export type Admission = { ok: true } | (Refusal & { retryAfterSeconds: number });

export class AddressLimits extends DurableObject<Bindings> {
  #sql: SqlStorage;
  /** Until when the address is known to be at its session cap (memory only: a restart recounts). */
  #fullUntil = 0;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#createTables();
  }

  #createTables(): void {
    this.#sql.exec('CREATE TABLE IF NOT EXISTS learner_creations (at INTEGER NOT NULL)');
    // One row per learner and lab started from this address; a learner holds at most one live session per lab.
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
      learner_id TEXT NOT NULL, lab TEXT NOT NULL, admitted_at INTEGER NOT NULL, PRIMARY KEY (learner_id, lab))`);
  }

  /** A new learner from this address: counted if under the per-minute limit; a refusal adds nothing. */
  async admitLearner(now = Date.now()): Promise<Admission> {
    const { learnersPerAddressPerMinute: limit } = limitsOf(this.env);
    this.#sql.exec('DELETE FROM learner_creations WHERE at <= ?', now - windowMs);
    const { made, oldest } = this.#sql.exec<{ made: number; oldest: number | null }>('SELECT COUNT(*) AS made, MIN(at) AS oldest FROM learner_creations').one();
    if (made >= limit) {
      return {
        ok: false,
        code: 'rate_limited',
        message: `Too many new learners from this address: at most ${limit} a minute.`,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest! + windowMs - now) / 1000)),
      };
    }
    this.#sql.exec('INSERT INTO learner_creations (at) VALUES (?)', now);
    await this.#sweepLater(now);
    return { ok: true };
  }

  /**
   * A Start by this learner for this lab. One the address already counts (the learner's own session,
   * found again or started anew) is always admitted; a new one only under the cap of live sessions.
   */
  admitStart(learnerID: string, lab: string, now = Date.now()): Promise<Admission> {
    // Counting live sessions waits on D1 and the pool: other Starts wait for the decision, so the cap holds.
    return this.ctx.blockConcurrencyWhile(() => this.#admitStart(learnerID, lab, now));
  }

  async #admitStart(learnerID: string, lab: string, now: number): Promise<Admission> {
    const known = this.#sql.exec('SELECT 1 FROM sessions WHERE learner_id = ? AND lab = ?', learnerID, lab).toArray().length > 0;
    if (known) return { ok: true };
    const { liveSessionsPerAddress: cap } = limitsOf(this.env);
    const refusal: Admission = {
      ok: false,
      code: 'too_many_sessions',
      message: `This address already has ${cap} lab sessions open; one must end before another starts.`,
      retryAfterSeconds: fullRecheckMs / 1000,
    };
    if (this.#counted() >= cap) {
      if (now < this.#fullUntil) return refusal;
      // Counted sessions may have ended since: count the live ones, at most once per recheck.
      await this.#forgetEnded(now);
      if (this.#counted() >= cap) {
        this.#fullUntil = now + fullRecheckMs;
        return refusal;
      }
    }
    this.#sql.exec('INSERT INTO sessions (learner_id, lab, admitted_at) VALUES (?, ?, ?)', learnerID, lab, now);
    await this.#sweepLater(now);
    return { ok: true };
  }

  /** Old counts go; an address with nothing left counted leaves no storage behind. */
  override alarm(): Promise<void> {
    return this.ctx.blockConcurrencyWhile(() => this.#sweep(Date.now()));
  }

  async #sweep(now: number): Promise<void> {
    this.#sql.exec('DELETE FROM learner_creations WHERE at <= ?', now - windowMs);
    await this.#forgetEnded(now);
    const creations = this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM learner_creations').one().n;
    if (creations === 0 && this.#counted() === 0) {
      await this.ctx.storage.deleteAll();
      this.#createTables(); // this instance may be asked again before it is evicted
    } else await this.ctx.storage.setAlarm(now + (this.#counted() > 0 ? sweepMs : windowMs));
  }

  #counted(): number {
    return this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM sessions').one().n;
  }

  /**
   * Drops the counted sessions that are no longer live: live is running, starting (placed on an
   * agent), or queued with a place in line (a page that stopped asking lost it), or admitted moments ago.
   */
  async #forgetEnded(now: number): Promise<void> {
    const counted = this.#sql.exec<{ learner_id: string; lab: string; admitted_at: number }>('SELECT learner_id, lab, admitted_at FROM sessions').toArray();
    if (counted.length === 0) return;
    const { results } = await this.env.DB.prepare(
      "SELECT id, learner_id, lab, state, agent_id FROM lab_sessions WHERE state != 'ended' AND learner_id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify([...new Set(counted.map((entry) => entry.learner_id))]))
      .all<{ id: string; learner_id: string; lab: string; state: 'queued' | 'running'; agent_id: string | null }>();
    const pool = this.env.POOL.get(this.env.POOL.idFromName('pool'));
    const inLine = results.filter((row) => row.state === 'queued' && row.agent_id === null);
    const waiting = new Set(await pool.waiting(inLine.map((row) => row.id)));
    const live = new Set(results.filter((row) => row.state === 'running' || row.agent_id !== null || waiting.has(row.id)).map((row) => `${row.learner_id}/${row.lab}`));
    for (const entry of counted) {
      if (live.has(`${entry.learner_id}/${entry.lab}`) || entry.admitted_at > now - admittedGraceMs) continue;
      this.#sql.exec('DELETE FROM sessions WHERE learner_id = ? AND lab = ?', entry.learner_id, entry.lab);
    }
  }

  async #sweepLater(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + windowMs);
  }
}

export const addressLimitsOf = (env: Bindings, address: string) => env.ADDRESS_LIMITS.get(env.ADDRESS_LIMITS.idFromName(address));

/** At the route edge: a refusal is a 429 with Retry-After. */
export function enforce(admission: Admission): void {
  if (!admission.ok) throw new APIFailure(admission.code, admission.message, { 'retry-after': String(admission.retryAfterSeconds) });
}
