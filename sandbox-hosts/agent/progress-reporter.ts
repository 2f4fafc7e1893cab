// Sends the steps a session's checks saw pass to the control plane, which keeps them as the
// learner's progress. Signed with the agent's own key for this route; a report that fails is tried
// again a few times (the control plane may be restarting), then logged.
import { progressReportPath, type ProgressReport } from '../../protocol/control-plane.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { Logger } from './live-sessions.ts';
import { postReport, type ReportTarget } from './signed-report.ts';

export interface ProgressReporterOptions extends ReportTarget {
  log: Logger;
}

export class ProgressReporter {
  readonly #options: ProgressReporterOptions;

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
  }

  async report(passed: { key: string; lab: string; steps: StepProgress[] }): Promise<boolean> {
    const body: ProgressReport = {
      session: passed.key,
      lab: passed.lab,
      steps: passed.steps.map((step) => ({ step: step.step, passedAt: new Date(step.passedAt ?? Date.now()).toISOString(), failures: step.failures, hintsUsed: step.hintsUsed ?? 0 })),
    };
    const sent = await postReport(this.#options, progressReportPath(this.#options.agentID), body);
    if (sent.outcome === 'sent') return true;
    this.#options.log({ event: 'progress.report_failed', session: passed.key, lab: passed.lab, steps: passed.steps.map((step) => step.step), error: sent.problem });
    return false;
  }
}
