// The lab panel's part for a learner in a class: the class's name and "Ask for help" (a toggle the
// instructor sees on their grid), and while the instructor watches the learner's terminal, a banner
// that says so. Nothing shows for a learner in no class.
import { myClassSchema } from '../../protocol/classes.ts';
import type { formatter } from './lab-strings';

export class ClassHelp {
  readonly #bar: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #status: HTMLElement;
  readonly #banner: HTMLElement;
  readonly #t: ReturnType<typeof formatter>;

  constructor(root: HTMLElement, t: ReturnType<typeof formatter>) {
    this.#t = t;
    this.#bar = root.querySelector<HTMLElement>('[data-role="class"]')!;
    this.#button = root.querySelector<HTMLButtonElement>('[data-action="help"]')!;
    this.#status = root.querySelector<HTMLElement>('[data-role="help-status"]')!;
    this.#banner = root.querySelector<HTMLElement>('[data-role="watched"]')!;
    this.#button.addEventListener('click', () => void this.#toggle());
  }

  /** Shows the learner's class (asked once the learner's identity is settled), and whether they asked for help. */
  async load(): Promise<void> {
    try {
      const response = await fetch('/api/me/class', { headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const mine = myClassSchema.parse(await response.json());
      if (!mine.class || mine.class.state === 'ended') return;
      this.#bar.querySelector('[data-role="class-name"]')!.textContent = this.#t('doca.lab.inClass', { name: mine.class.name });
      this.#pressed(mine.helpRequested);
      this.#bar.hidden = false;
    } catch {
      // No class shown: the lab works the same.
    }
  }

  /** The agent says whether an instructor watches this learner's terminal now. */
  watched(watching: boolean): void {
    // A live region that stays in place (empty when no one watches), so the change is announced.
    this.#banner.textContent = watching ? this.#t('doca.lab.watched') : '';
  }

  async #toggle(): Promise<void> {
    const requested = this.#button.getAttribute('aria-pressed') !== 'true';
    this.#button.disabled = true;
    try {
      const response = await fetch('/api/me/help', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requested }) });
      if (!response.ok) throw new Error(String(response.status));
      this.#pressed(requested);
      this.#status.textContent = this.#t(requested ? 'doca.lab.helpAsked' : 'doca.lab.helpWithdrawn');
    } catch (error) {
      this.#status.textContent = this.#t('doca.lab.error', { message: (error as Error).message });
    } finally {
      this.#button.disabled = false;
    }
  }

  #pressed(requested: boolean): void {
    this.#button.setAttribute('aria-pressed', String(requested));
  }
}
