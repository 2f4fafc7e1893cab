// Tells the control plane what a lab session's checks see as the learner works, for the learner's
// class (the instructor's live grid and the learner's timeline): the steps they reached or passed —
// state, failures, hints, when they reached it, the latest reason — and the commands their shells
// finished. At most one report per session every `intervalMs`, with the latest states of the steps
// that changed since the last report that went through; commands wait in a bounded queue (a pasted
// script of a thousand lines keeps the newest). Signed and retried like the progress report.
import { activityReportPath, activityReportSchema, type ActivityReport } from '../../protocol/classes.ts';
import type { LabChecks, StepActivity } from '../checks/lab-checks.ts';
import type { Logger } from './live-sessions.ts';
import { postReport, type ReportTarget } from './signed-report.ts';

type ActivityCommand = ActivityReport['commands'][number];
type Reason = NonNullable<StepActivity['lastReason']>;

/** A report carries at most this many commands, and a session's queue holds no more (the oldest go). */
export const maxQueuedCommands = 50;
/** The longest command a report carries; a longer one is cut. */
export const maxCommandLength = 1024;

export interface ActivityReporterOptions extends ReportTarget {
  log: Logger;
  /** The least time between two reports of one session (default 500 ms). */
  intervalMs?: number;
  /** When a command finished (ms since the epoch); tests move it. */
  now?: () => number;
}

/** What a session hands its finished commands to, and says when it ends. */
export interface SessionActivity {
  command(host: string, command: string, exitCode: number): void;
  /** The session ended: what already waits is still sent, nothing more is taken. */
  end(): void;
}

export class ActivityReporter {
  readonly #options: ActivityReporterOptions;

  constructor(options: ActivityReporterOptions) {
    this.#options = options;
  }

  /** Starts reporting the session named `key` (the control plane's name for it): its checks' steps as they change, and its commands. */
  follow(key: string, checks: LabChecks): SessionActivity {
    return new SessionReports(this.#options, key, checks);
  }
}

class SessionReports implements SessionActivity {
  readonly #options: ActivityReporterOptions;
  readonly #key: string;
  readonly #checks: LabChecks;
  readonly #stop: () => void;
  /** Each step as the last report that went through had it. */
  readonly #sent = new Map<string, string>();
  #commands: ActivityCommand[] = [];
  /** Commands dropped from the queue since the last report. */
  #dropped = 0;
  #dirty = false;
  #sending = false;
  #ended = false;
  #lastReportAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ActivityReporterOptions, key: string, checks: LabChecks) {
    this.#options = options;
    this.#key = key;
    this.#checks = checks;
    this.#stop = checks.subscribe(() => this.#changed());
  }

  command(host: string, command: string, exitCode: number): void {
    if (this.#ended || !/^host[1-3]$/.test(host)) return;
    const at = new Date((this.#options.now ?? Date.now)()).toISOString();
    this.#commands.push({ host: host as ActivityCommand['host'], command: cut(command, maxCommandLength), exitCode: Math.min(255, Math.max(0, Math.trunc(exitCode))), at });
    if (this.#commands.length > maxQueuedCommands) this.#dropped += this.#commands.splice(0, this.#commands.length - maxQueuedCommands).length;
    this.#changed();
  }

  end(): void {
    this.#ended = true;
    this.#stop();
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#timer || this.#sending) return;
    const wait = Math.max(0, this.#lastReportAt + (this.#options.intervalMs ?? 500) - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#report();
    }, wait);
  }

  async #report(): Promise<void> {
    this.#dirty = false;
    const steps = this.#checks.activity().map((step) => ({ ...step, lastReason: step.lastReason && bounded(step.lastReason) }));
    const changed = steps.filter((step) => this.#sent.get(step.step) !== JSON.stringify(step));
    const commands = this.#commands.splice(0);
    if (this.#dropped > 0) {
      this.#options.log({ event: 'activity.commands_dropped', session: this.#key, dropped: this.#dropped, kept: commands.length });
      this.#dropped = 0;
    }
    if (changed.length === 0 && commands.length === 0) return;
    const body = activityReportSchema.safeParse({ session: this.#key, lab: this.#checks.lab.id, steps: changed, commands } satisfies ActivityReport);
    if (!body.success) {
      this.#options.log({ event: 'activity.report_invalid', session: this.#key, error: body.error.message.slice(0, 500) });
      return;
    }
    this.#sending = true;
    this.#lastReportAt = Date.now();
    const sent = await postReport(this.#options, activityReportPath(this.#options.agentID), body.data);
    this.#sending = false;
    if (sent.outcome === 'failed') {
      // Kept for the next report (the steps stay unsent, so they go again with the next change).
      const waiting = [...commands, ...this.#commands];
      this.#dropped += Math.max(0, waiting.length - maxQueuedCommands);
      this.#commands = waiting.slice(-maxQueuedCommands);
    } else {
      for (const step of changed) this.#sent.set(step.step, JSON.stringify(step));
    }
    if (sent.outcome !== 'sent') this.#options.log({ event: 'activity.report_failed', session: this.#key, outcome: sent.outcome, steps: changed.length, commands: commands.length, error: sent.problem });
    // What changed while this report was out goes next, no sooner than the interval allows.
    if (this.#dirty) this.#changed();
  }
}

/** A reason as the report carries it: the code and each value cut to what the control plane takes. */
function bounded(reason: Reason): Reason {
  const values = Object.entries(reason.values).map(([name, value]) => [cut(name, 64), cut(value, 512)]);
  return { code: cut(reason.code, 64), values: Object.fromEntries(values) };
}

/** At most `length` UTF-16 units, never half a character. */
function cut(text: string, length: number): string {
  if (text.length <= length) return text;
  const kept = text.slice(0, length);
  return /[\uD800-\uDBFF]$/.test(kept) ? kept.slice(0, -1) : kept;
}
