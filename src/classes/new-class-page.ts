// The new-class page: reads the form, creates the class (no account), and shows what the
// instructor takes away: the join code and link for learners, and the instructor link, which is
// shown once. The join code is kept in this browser so the dashboard can show it on the projector.
import { createdClassSchema } from '../../protocol/classes.ts';
import type { Locale } from '../labs/checks/reasons.ts';
import { ClassAPIError, callJSON } from './class-api';
import { classRequestOf } from './class-form';
import { instructorURL, joinURL } from './class-pages';
import { embeddedStrings, type Translate } from './class-strings';

export class NewClassPage {
  readonly #root: HTMLElement;
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #form: HTMLFormElement;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#t = embeddedStrings(root);
    this.#locale = document.documentElement.lang === 'pt-BR' ? 'pt-BR' : 'en';
    this.#form = root.querySelector('form')!;
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#create();
    });
    for (const button of root.querySelectorAll<HTMLButtonElement>('[data-copy]')) button.addEventListener('click', () => void this.#copy(button));
  }

  async #create(): Promise<void> {
    const data = new FormData(this.#form);
    const text = (name: string) => String(data.get(name) ?? '');
    const result = classRequestOf({ name: text('name'), labs: data.getAll('labs').map(String), startsAt: text('startsAt'), endsAt: text('endsAt') }, Date.now());
    for (const field of ['name', 'labs', 'endsAt'] as const) {
      const error = this.#root.querySelector<HTMLElement>(`[data-error="${field}"]`)!;
      const problem = result.ok ? undefined : result.problems[field];
      error.textContent = problem ? this.#t(problem) : '';
      this.#root.querySelector(`[data-field="${field}"]`)?.setAttribute('aria-invalid', String(Boolean(problem)));
    }
    if (!result.ok) {
      this.#root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const submit = this.#form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    submit.disabled = true;
    this.#status(this.#t('doca.class.new.creating'));
    try {
      const created = await callJSON('/api/classes', (json) => createdClassSchema.parse(json), { method: 'POST', body: result.request });
      this.#status('');
      this.#show(result.request.name, created.joinCode, joinURL(location.origin, created.joinCode, this.#locale), instructorURL(location.origin, created.id, created.instructorSecret, this.#locale));
    } catch (error) {
      this.#status(this.#t('doca.class.error', { message: error instanceof ClassAPIError ? error.message : String(error) }));
    } finally {
      submit.disabled = false;
    }
  }

  #show(name: string, code: string, join: string, instructor: string): void {
    const $ = (role: string) => this.#root.querySelector<HTMLElement>(`[data-role="${role}"]`)!;
    this.#form.hidden = true;
    $('created').hidden = false;
    $('created-title').textContent = this.#t('doca.class.new.created', { name });
    $('join-code').textContent = code;
    for (const [role, url] of [['join-link', join], ['instructor-link', instructor], ['open-dashboard', instructor]] as const) {
      const link = $(role) as HTMLAnchorElement;
      link.href = url;
      if (role !== 'open-dashboard') link.textContent = url;
    }
    $('created-title').focus();
  }

  async #copy(button: HTMLButtonElement): Promise<void> {
    const text = this.#root.querySelector<HTMLElement>(`[data-role="${button.dataset.copy}"]`)!.textContent ?? '';
    try {
      await navigator.clipboard.writeText(text);
      this.#copied(this.#t('doca.class.copied'));
    } catch (error) {
      this.#copied(this.#t('doca.class.error', { message: (error as Error).message }));
    }
  }

  #copied(text: string): void {
    this.#root.querySelector<HTMLElement>('[data-role="copy-status"]')!.textContent = text;
  }

  #status(text: string): void {
    this.#root.querySelector<HTMLElement>('[data-role="status"]')!.textContent = text;
  }
}
