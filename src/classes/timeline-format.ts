// A learner's timeline as the instructor reads it: each event's time and what happened, in the
// page's language (the step by its number and title, a failed check with its reason, a command
// with its host and exit status, help asked or no longer).
import type { ClassEvent } from '../../protocol/classes.ts';
import type { Locale } from '../labs/checks/reasons.ts';
import { reasonText, stepKey, type ClassStep } from './class-steps';
import type { Translate } from './class-strings';

export interface TimelineLine {
  at: string;
  /** The time of day, in the page's language. */
  time: string;
  kind: ClassEvent['kind'];
  /** What happened; `code` parts in backticks. */
  text: string;
}

export function timelineLines(events: readonly ClassEvent[], steps: readonly ClassStep[], locale: Locale, t: Translate, timeZone?: string): TimelineLine[] {
  const byKey = new Map(steps.map((step) => [stepKey(step), step]));
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, ...(timeZone ? { timeZone } : {}) });
  return events.map((event) => {
    const step = event.lab && event.step ? byKey.get(stepKey({ lab: event.lab, step: event.step })) : undefined;
    const stepName = step ? `${step.number}. ${step.title}` : (event.step ?? '');
    const text = (() => {
      switch (event.kind) {
        case 'reached':
          return t('doca.class.event.reached', { step: stepName });
        case 'passed':
          return t('doca.class.event.passed', { step: stepName });
        case 'failed':
          return t('doca.class.event.failed', { step: stepName, reason: event.reason ? reasonText(step, event.reason, locale) : '' });
        case 'command':
          return t('doca.class.event.command', { host: event.host ?? '', command: `\`${(event.command ?? '').replaceAll('`', "'")}\``, exitCode: event.exitCode ?? '' });
        case 'help':
          return t(event.requested === false ? 'doca.class.event.helpEnded' : 'doca.class.event.helpAsked');
      }
    })();
    return { at: event.at, time: clock.format(new Date(event.at)), kind: event.kind, text };
  });
}
