// Learners' progress through labs, as durable records: the steps an agent's checks saw passed,
// kept in D1 with when they passed, how many checks failed before and how many hints were open. A
// step passes once; a report of it again (a retry, a second session of the same lab) changes nothing.
import type { LearnerProgress, LearnerProgressByLab, PassedStep, ProgressReport } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { Bindings } from '../env';

interface ProgressRow {
  lab: string;
  step: string;
  completed_at: string;
  failures: number;
  hints_used: number;
}

export class LabProgress {
  #env: Bindings;

  constructor(env: Bindings) {
    this.#env = env;
  }

  /**
   * Records what an agent reports of a session it holds; a session placed on another agent, or
   * steps the lab doesn't have, are refused. Returns how many steps were new.
   */
  async record(agentID: string, report: ProgressReport): Promise<number> {
    const session = await this.#env.DB.prepare('SELECT learner_id, lab FROM lab_sessions WHERE id = ? AND agent_id = ?')
      .bind(report.session, agentID)
      .first<{ learner_id: string; lab: string }>();
    if (!session || session.lab !== report.lab) throw new APIFailure('session_not_found', `Agent ${agentID} holds no session ${report.session} of lab ${report.lab}.`);
    const steps = new Set(labs.get(report.lab)?.steps.map((step) => step.id));
    const unknown = report.steps.filter((step) => !steps.has(step.step));
    if (unknown.length > 0) throw new APIFailure('bad_request', `Lab ${report.lab} has no step ${unknown.map((step) => step.step).join(', ')}.`);
    const results = await this.#env.DB.batch(
      report.steps.map((step) =>
        this.#env.DB.prepare('INSERT OR IGNORE INTO progress (learner_id, lab, step, completed_at, session_id, failures, hints_used) VALUES (?, ?, ?, ?, ?, ?, ?)').bind(
          session.learner_id,
          report.lab,
          step.step,
          step.passedAt,
          report.session,
          step.failures,
          step.hintsUsed,
        ),
      ),
    );
    return results.reduce((sum, result) => sum + (result.meta.changes ?? 0), 0);
  }

  /** The learner's passed steps of a lab, in the lab's order. */
  async of(learnerID: string, lab: string): Promise<LearnerProgress> {
    const { results } = await this.#env.DB.prepare('SELECT lab, step, completed_at, failures, hints_used FROM progress WHERE learner_id = ? AND lab = ?')
      .bind(learnerID, lab)
      .all<ProgressRow>();
    return { lab, steps: inLabOrder(lab, results) };
  }

  /** The learner's passed steps in every lab of the catalog (none yet: an empty list); labs no longer in it are left out. */
  async all(learnerID: string): Promise<LearnerProgressByLab> {
    const { results } = await this.#env.DB.prepare('SELECT lab, step, completed_at, failures, hints_used FROM progress WHERE learner_id = ?').bind(learnerID).all<ProgressRow>();
    return { labs: Object.fromEntries([...labs.keys()].map((lab) => [lab, inLabOrder(lab, results.filter((row) => row.lab === lab))])) };
  }
}

/** One lab's rows as passed steps, in the lab's order; steps the lab no longer has are left out. */
function inLabOrder(lab: string, rows: readonly ProgressRow[]): PassedStep[] {
  const order = labs.get(lab)?.steps.map((step) => step.id) ?? [];
  return rows
    .filter((row) => order.includes(row.step))
    .sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step))
    .map((row) => ({ step: row.step, completedAt: row.completed_at, failures: row.failures, hintsUsed: row.hints_used }));
}
