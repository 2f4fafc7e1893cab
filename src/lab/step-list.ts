// The lab's steps in the page, as its checks report them over the terminal connection: done, or
// why not yet in the page's language (filled with what was seen and expected), and the hints that
// have opened. What a reason names (a container's name, a status line) comes from the learner's
// sandbox: it is only ever set as text, never as markup.
import type { StepProgress } from '../../protocol/progress.ts';
import { fillMessage, type Locale } from '../labs/checks/reasons.ts';
import { openHints } from '../labs/hints.ts';
import { reasonMessage, type LabDefinition, type LabStep } from '../labs/lab-definition.ts';
import type { formatter } from './lab-strings';

/** How often time-based hints are looked at again. */
const hintTickMs = 5_000;

export class StepList {
  readonly #lab: LabDefinition;
  readonly #locale: Locale;
  readonly #t: ReturnType<typeof formatter>;
  readonly #items: Map<string, HTMLElement>;
  #steps: StepProgress[] = [];
  readonly #durable = new Set<string>();
  /** When the page first saw each step as the one the learner is on (time-based hints count from it). */
  readonly #currentSince = new Map<string, number>();
  #tick: ReturnType<typeof setInterval> | undefined;

  constructor(root: HTMLElement, lab: LabDefinition, locale: Locale, t: ReturnType<typeof formatter>) {
    this.#lab = lab;
    this.#locale = locale;
    this.#t = t;
    this.#items = new Map([...root.querySelectorAll<HTMLElement>('li[data-step]')].map((item) => [item.dataset.step!, item]));
  }

  /** Steps the learner passed in an earlier session, or on another device (the control plane's record). */
  showDurable(passed: readonly { step: string }[]): void {
    for (const { step } of passed) this.#durable.add(step);
    this.show(this.#steps);
  }

  show(live: readonly StepProgress[]): void {
    this.#steps = [...live];
    // A step passed before stays passed, whatever this session's checks say of it.
    const steps = this.#lab.steps.map((step): StepProgress => {
      const progress = live.find((s) => s.step === step.id) ?? { step: step.id, status: 'pending', failures: 0 };
      return this.#durable.has(step.id) && progress.status !== 'passed' ? { ...progress, status: 'passed', reason: undefined } : progress;
    });
    const current = this.#lab.steps.find((step) => steps.find((s) => s.step === step.id)?.status !== 'passed');
    if (current && !this.#currentSince.has(current.id)) this.#currentSince.set(current.id, Date.now());
    for (const step of this.#lab.steps) {
      const progress = steps.find((s) => s.step === step.id);
      if (progress) this.#render(step, progress, step === current);
    }
    clearInterval(this.#tick);
    if (current?.hints.some((hint) => hint.after.seconds !== undefined)) this.#tick = setInterval(() => this.show(this.#steps), hintTickMs);
  }

  stop(): void {
    clearInterval(this.#tick);
  }

  #render(step: LabStep, progress: StepProgress, isCurrent: boolean): void {
    const item = this.#items.get(step.id);
    if (!item) return;
    // Why a step is not done is told for the step the learner is on; the later ones are still to do.
    const shown = progress.status !== 'passed' && !isCurrent ? 'pending' : progress.status;
    item.dataset.state = shown === 'passed' && progress.stillTrue === false ? 'passed-stale' : shown;
    const state = item.querySelector<HTMLElement>('.step-state')!;
    if (shown === 'passed') state.replaceChildren(this.#t(progress.stillTrue === false ? 'doca.lab.stepNoLongerTrue' : 'doca.lab.stepDone'));
    else if (progress.confirming) state.replaceChildren(this.#t('doca.lab.stepChecking'));
    else if (shown === 'pending' || !progress.reason) state.replaceChildren(this.#t('doca.lab.stepPending'));
    else {
      const message = reasonMessage(step, progress.reason.code, this.#locale);
      state.replaceChildren(...withCode(message ? fillMessage(message, progress.reason.values) : this.#t('doca.lab.stepPending')));
    }
    this.#renderHints(item, step, progress, isCurrent);
  }

  #renderHints(item: HTMLElement, step: LabStep, progress: StepProgress, isCurrent: boolean): void {
    item.querySelector('.step-hints')?.remove();
    if (progress.status === 'passed' || !isCurrent) return;
    const open = openHints(step, { failures: progress.failures, sinceMs: this.#currentSince.get(step.id), nowMs: Date.now() });
    if (open.length === 0) return;
    const list = document.createElement('ul');
    list.className = 'step-hints';
    for (const hint of open) {
      const entry = document.createElement('li');
      const label = document.createElement('strong');
      label.textContent = `${this.#t('doca.lab.hint')}: `;
      entry.append(label, ...withCode(hint.text[this.#locale]));
      list.append(entry);
    }
    item.append(list);
  }
}

/** Text whose `backticked` parts are code, as nodes: nothing in it is ever read as markup. */
function withCode(text: string): Node[] {
  return text.split('`').map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const code = document.createElement('code');
    code.textContent = part;
    return code;
  });
}
