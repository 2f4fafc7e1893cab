// Sends the steps a session's checks saw pass to the control plane, which keeps them as the
// learner's progress. Signed with the agent's own key for this route; a report that fails is tried
// again a few times (the control plane may be restarting), then logged.
import { progressReportPath, type ProgressReport } from '../../protocol/control-plane.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { KeyInput } from '../../protocol/keys.ts';
import { signHeartbeatToken } from '../../protocol/tokens.ts';
import type { Logger } from './live-sessions.ts';

export interface ProgressReporterOptions {
  controlPlaneURL: string;
  agentID: string;
  agentKey: KeyInput;
  log: Logger;
  /** Tries of one report, and the wait before the first retry (doubling). */
  attempts?: number;
  retryMs?: number;
}

export class ProgressReporter {
  readonly #options: Required<ProgressReporterOptions>;

  constructor(options: ProgressReporterOptions) {
    this.#options = { attempts: 5, retryMs: 2_000, ...options };
  }

  async report(passed: { key: string; lab: string; steps: StepProgress[] }): Promise<boolean> {
    const body: ProgressReport = {
      session: passed.key,
      lab: passed.lab,
      steps: passed.steps.map((step) => ({ step: step.step, passedAt: new Date(step.passedAt ?? Date.now()).toISOString(), failures: step.failures, hintsUsed: step.hintsUsed ?? 0 })),
    };
    const { controlPlaneURL, agentID, agentKey, attempts, retryMs, log } = this.#options;
    const path = progressReportPath(agentID);
    let problem = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryMs * 2 ** (attempt - 1)));
      try {
        const token = await signHeartbeatToken(agentKey, agentID, { binding: { method: 'POST', path } });
        const response = await fetch(new URL(path, controlPlaneURL), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) return true;
        problem = `the control plane answered ${response.status}: ${(await response.text()).slice(0, 300)}`;
        // Refused for what it says (another agent's session, a step it doesn't know): trying again won't help.
        if (response.status >= 400 && response.status < 500) break;
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    log({ event: 'progress.report_failed', session: passed.key, lab: passed.lab, steps: passed.steps.map((step) => step.step), error: problem });
    return false;
  }
}
