// The instructor's actions on the whole class: 30 more minutes for everyone (or one learner, from
// their row), end the class, the exports (CSV in the page's language, JSON, the event history),
// and deleting the class. Exports are fetched with the secret and saved under a readable name.
import { classSummarySchema, type ClassSummary } from '../../../protocol/classes.ts';
import type { Locale } from '../../labs/checks/reasons.ts';
import { call, callJSON } from '../class-api';
import type { InstructorKey } from '../class-pages';
import type { Translate } from '../class-strings';
import { downloadName, downloadPath, type Download } from '../downloads';
import { z } from 'zod';

export interface ActionEvents {
  className: () => string;
  ended: (summary: ClassSummary) => void;
  deleted: () => void;
}

export class ClassActions {
  readonly #root: HTMLElement;
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #key: InstructorKey;
  readonly #events: ActionEvents;
  readonly #status: HTMLElement;

  constructor(root: HTMLElement, t: Translate, locale: Locale, key: InstructorKey, events: ActionEvents) {
    this.#root = root;
    this.#t = t;
    this.#locale = locale;
    this.#key = key;
    this.#events = events;
    this.#status = root.querySelector<HTMLElement>('[data-role="action-status"]')!;
    const on = (action: string, run: (button: HTMLButtonElement) => Promise<void>) => {
      const button = root.querySelector<HTMLButtonElement>(`[data-action="${action}"]`)!;
      button.addEventListener('click', () => void this.#run(button, () => run(button)));
    };
    on('extend-all', () => this.extend());
    on('end', () => this.#end());
    on('delete', () => this.#delete());
    for (const kind of ['csv', 'json', 'events'] as const) on(`download-${kind}`, () => this.#download(kind));
  }

  /** The class ended: nothing more to extend or end. */
  classState(state: ClassSummary['state']): void {
    for (const action of ['extend-all', 'end']) this.#root.querySelector<HTMLButtonElement>(`[data-action="${action}"]`)!.hidden = state === 'ended';
  }

  /** 30 more minutes for one learner's running sessions, or everyone's. */
  async extend(learner?: string): Promise<void> {
    const { extended } = await callJSON(`${this.#base}/extend`, (json) => z.object({ extended: z.number() }).parse(json), { method: 'POST', body: learner ? { learner } : {}, secret: this.#key.secret }).catch((error: Error) => {
      this.#say(this.#t('doca.class.error', { message: error.message }));
      return { extended: undefined };
    });
    if (extended !== undefined) this.#say(this.#t('doca.class.action.extended', { count: extended }));
  }

  get #base(): string {
    return `/api/classes/${this.#key.classID}`;
  }

  async #end(): Promise<void> {
    if (!confirm(this.#t('doca.class.action.endConfirm'))) return;
    this.#events.ended(await callJSON(`${this.#base}/end`, (json) => classSummarySchema.parse(json), { method: 'POST', secret: this.#key.secret }));
  }

  async #delete(): Promise<void> {
    if (!confirm(this.#t('doca.class.action.deleteConfirm'))) return;
    await call(this.#base, { method: 'DELETE', secret: this.#key.secret });
    this.#events.deleted();
  }

  async #download(kind: Download): Promise<void> {
    const response = await call(downloadPath(this.#key.classID, kind, this.#locale), { secret: this.#key.secret });
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = downloadName(this.#events.className(), kind, this.#locale, new Date());
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Runs an action with its button held down; a failure is said beside the actions. */
  async #run(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      this.#say(this.#t('doca.class.error', { message: (error as Error).message }));
    } finally {
      button.disabled = false;
    }
  }

  #say(text: string): void {
    this.#status.textContent = text;
  }
}
