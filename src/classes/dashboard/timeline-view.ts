// A learner's timeline beside the grid: their steps reached and passed, failed checks with their
// reasons, their commands and help requests, oldest first, refreshed while it is open.
import { classTimelineSchema, type ClassLearner } from '../../../protocol/classes.ts';
import type { Locale } from '../../labs/checks/reasons.ts';
import { callJSON } from '../class-api';
import type { ClassStep } from '../class-steps';
import { learnerName, type Translate } from '../class-strings';
import { element, withCode } from '../dom-text';
import { timelineLines } from '../timeline-format';

export class TimelineView {
  readonly #section: HTMLElement;
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #path: (learner: string) => string;
  readonly #secret: string;
  #steps: readonly ClassStep[] = [];
  #learner: ClassLearner | undefined;
  #opener: HTMLElement | undefined;
  #refresh: ReturnType<typeof setTimeout> | undefined;

  constructor(section: HTMLElement, t: Translate, locale: Locale, classID: string, secret: string) {
    this.#section = section;
    this.#t = t;
    this.#locale = locale;
    this.#secret = secret;
    this.#path = (learner) => `/api/classes/${classID}/learners/${encodeURIComponent(learner)}/timeline`;
    section.querySelector('[data-action="timeline-close"]')!.addEventListener('click', () => this.close());
    section.addEventListener('keydown', (event) => event.key === 'Escape' && this.close());
  }

  set steps(steps: readonly ClassStep[]) {
    this.#steps = steps;
  }

  get learner(): string | undefined {
    return this.#learner?.id;
  }

  async open(learner: ClassLearner, opener: HTMLElement): Promise<void> {
    this.#learner = learner;
    this.#opener = opener;
    this.#section.hidden = false;
    const heading = this.#section.querySelector<HTMLElement>('[data-role="timeline-title"]')!;
    heading.textContent = this.#t('doca.class.timeline.title', { name: learnerName(learner, this.#t) });
    heading.focus();
    await this.#load();
  }

  /** Something of this learner changed: their timeline is read again, once things settle. */
  changed(learner: string): void {
    if (learner !== this.#learner?.id) return;
    clearTimeout(this.#refresh);
    this.#refresh = setTimeout(() => void this.#load(), 500);
  }

  close(): void {
    clearTimeout(this.#refresh);
    this.#learner = undefined;
    this.#section.hidden = true;
    this.#opener?.focus();
  }

  async #load(): Promise<void> {
    const learner = this.#learner;
    if (!learner) return;
    const list = this.#section.querySelector<HTMLElement>('[data-role="timeline-list"]')!;
    try {
      const { events } = await callJSON(this.#path(learner.id), (json) => classTimelineSchema.parse(json), { secret: this.#secret });
      if (this.#learner !== learner) return;
      const lines = timelineLines(events, this.#steps, this.#locale, this.#t);
      list.replaceChildren(
        ...(lines.length === 0
          ? [element('li', 'timeline-empty', this.#t('doca.class.timeline.empty'))]
          : lines.map((line) => {
              const time = Object.assign(element('time', '', line.time), { dateTime: line.at });
              const item = element('li', '', time, ' ', element('span', '', ...withCode(line.text)));
              item.dataset.kind = line.kind;
              return item;
            })),
      );
      list.scrollTop = list.scrollHeight; // the newest, at the bottom of its own box
    } catch (error) {
      list.replaceChildren(element('li', 'timeline-error', this.#t('doca.class.error', { message: (error as Error).message })));
    }
  }
}
