// The join page: a learner types (or follows a link with) the class's code and, if they like, a
// name; the page says plainly why a code is refused. It also shows the learner's class now, with
// its labs and a way to leave it, and lets the learner delete everything Doca keeps of them.
import type { ErrorCode } from '../../protocol/api.ts';
import { classSummarySchema, joinCodeSchema, myClassSchema, type ClassSummary } from '../../protocol/classes.ts';
import { labs } from '../labs/index.ts';
import { lessonPathOf } from '../labs/lab-for-lesson';
import { ClassAPIError, call, callJSON } from './class-api';
import { joinCodeOf } from './class-pages';
import { embeddedStrings, type ClassStringKey, type Translate } from './class-strings';
import { element, withCode } from './dom-text';
import { z } from 'zod';

/** How the page words the control plane's refusals of a join. */
export const joinRefusals: Partial<Record<ErrorCode, ClassStringKey>> = {
  class_not_found: 'doca.class.join.notFound',
  class_ended: 'doca.class.join.ended',
  class_not_started: 'doca.class.join.notStarted',
  invalid_body: 'doca.class.join.codeInvalid',
};

export class JoinPage {
  readonly #root: HTMLElement;
  readonly #t: Translate;
  readonly #locale: 'pt-BR' | 'en';
  readonly #form: HTMLFormElement;
  readonly #$: (role: string) => HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#t = embeddedStrings(root);
    this.#locale = document.documentElement.lang === 'pt-BR' ? 'pt-BR' : 'en';
    this.#$ = (role) => root.querySelector<HTMLElement>(`[data-role="${role}"]`)!;
    this.#form = root.querySelector('form')!;
    const code = this.#form.elements.namedItem('code') as HTMLInputElement;
    if (!code.value) code.value = joinCodeOf(location.search);
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#join();
    });
    root.querySelector('[data-action="leave"]')!.addEventListener('click', () => void this.#leave());
    root.querySelector('[data-action="delete-data"]')!.addEventListener('click', () => void this.#deleteData());
    void this.#current();
  }

  /** The class the learner is in now, if any (their cookie says who they are; a first visit gets one). */
  async #current(): Promise<void> {
    try {
      await fetch('/api/me');
      const mine = await callJSON('/api/me/class', (json) => myClassSchema.parse(json));
      this.#showClass(mine.class);
    } catch {
      // The form still works; joining answers for itself.
    }
  }

  async #join(): Promise<void> {
    const data = new FormData(this.#form);
    const code = joinCodeSchema.safeParse(String(data.get('code') ?? ''));
    if (!code.success) return this.#refused('doca.class.join.codeInvalid');
    const displayName = String(data.get('displayName') ?? '').trim();
    const submit = this.#form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    submit.disabled = true;
    try {
      await fetch('/api/me');
      const joined = await callJSON('/api/classes/join', (json) => z.object({ class: classSummarySchema }).parse(json), { method: 'POST', body: { code: code.data, ...(displayName ? { displayName } : {}) } });
      this.#say('');
      this.#form.querySelector('[data-field="code"]')!.setAttribute('aria-invalid', 'false');
      this.#showClass(joined.class);
      this.#$('class-title').focus();
    } catch (error) {
      const key = error instanceof ClassAPIError && error.code ? joinRefusals[error.code] : undefined;
      if (key) this.#refused(key);
      else this.#say(this.#t('doca.class.error', { message: (error as Error).message }));
    } finally {
      submit.disabled = false;
    }
  }

  #refused(key: ClassStringKey): void {
    this.#say(this.#t(key));
    const field = this.#form.querySelector<HTMLElement>('[data-field="code"]')!;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }

  #showClass(summary: ClassSummary | null): void {
    const section = this.#$('current');
    section.hidden = summary === null;
    if (!summary) return;
    this.#$('class-title').textContent = this.#t('doca.class.join.joined', { name: summary.name });
    const locale = this.#locale === 'pt-BR' ? undefined : this.#locale;
    this.#$('class-labs').replaceChildren(
      ...summary.labs.flatMap((id) => {
        const lab = labs.get(id);
        if (!lab) return [];
        const link = element('a', '', ...withCode(lab.title[this.#locale]));
        link.href = lessonPathOf(lab, locale);
        return [element('li', '', link)];
      }),
    );
  }

  async #leave(): Promise<void> {
    await this.#guard(async () => {
      await call('/api/me/class', { method: 'DELETE' });
      this.#showClass(null);
      this.#say(this.#t('doca.class.join.left'));
    });
  }

  async #deleteData(): Promise<void> {
    if (!confirm(this.#t('doca.class.join.deleteConfirm'))) return;
    await this.#guard(async () => {
      await call('/api/me', { method: 'DELETE' });
      this.#showClass(null);
      this.#$('privacy-status').textContent = this.#t('doca.class.join.deleted');
    });
  }

  async #guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#say(this.#t('doca.class.error', { message: (error as Error).message }));
    }
  }

  #say(text: string): void {
    this.#$('status').textContent = text;
  }
}
