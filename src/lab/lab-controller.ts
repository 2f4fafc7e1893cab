// Runs a lesson's lab in the page: starts (or finds again) the learner's session, shows its state
// and time left, its steps as the checks see them and the path of each command, and gives the
// lesson's command blocks a button that types them into a host's terminal (src/lab/host-terminals.ts).
import { labSessionSchema, learnerProgressSchema, learnerSchema, sessionPollMs, type LabSession } from '../../protocol/control-plane.ts';
import { apiErrorSchema } from '../../protocol/api.ts';
import { labCheckSchema } from '../../protocol/agent.ts';
import { formatTimeLeft, formatter, type LabStrings } from './lab-strings';
import { ClassHelp } from './class-help';
import { refusalNotice, type RefusalNotice } from './refusal-notice';
import { noticeOf } from './session-notice';
import { showProgressAcrossLabs } from './progress-across-labs';
import { labs } from '../labs/index.ts';
import { FlowPanel } from './flow-panel';
import { HostTerminals } from './host-terminals';
import { StepList } from './step-list';
import type { ConnectionState } from './terminal-connection';
import { TerminalKeys } from './terminal-keys';

/** A terminal that dropped may mean the session ended (its agent stopped): ask this soon after. */
const checkAfterDisconnectMs = 2_000;

export class LabController {
  readonly root: HTMLElement;
  readonly lab: string;
  #t: ReturnType<typeof formatter>;
  #session: LabSession | undefined;
  #terminals: HostTerminals;
  #flows: FlowPanel;
  #poll: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #status: HTMLElement;
  #countdown: HTMLElement;
  #start: HTMLButtonElement;
  #extend: HTMLButtonElement;
  #end: HTMLButtonElement;
  #workspace: HTMLElement;
  /** The running session has had every extension it may have: Extend stays hidden for it. */
  #extensionsSpent = false;
  #check: HTMLButtonElement;
  /** The learner's class, if any: "Ask for help" and the banner while the instructor watches. */
  #classHelp: ClassHelp;
  readonly #keys = new TerminalKeys((tabMovesFocus) => {
    this.root.dataset.tabMovesFocus = String(tabMovesFocus);
    this.#setStatus(this.#t(tabMovesFocus ? 'doca.lab.tabMovesFocus' : 'doca.lab.tabCompletes'));
  });
  /** The steps as the lab's checks report them (none for a page without the lab's definition). */
  #steps: StepList | undefined;
  /**
   * Who the learner is, asked once before any other call: a first visit gets its cookie from this
   * answer, and calls racing without it would each make a different learner.
   */
  #me: Promise<unknown>;

  constructor(root: HTMLElement) {
    this.root = root;
    this.lab = root.dataset.lab!;
    this.#t = formatter(JSON.parse(root.querySelector('[data-role="strings"]')!.textContent!) as LabStrings);
    this.#me = fetch('/api/me')
      .then((response) => response.json())
      .catch(() => null); // the calls that follow report their own failures
    void this.#me.then(() => showProgressAcrossLabs());
    this.#classHelp = new ClassHelp(root, this.#t);
    void this.#me.then(() => this.#classHelp.load());
    const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
    this.#status = $('[data-role="status"]');
    this.#countdown = $('[data-role="countdown"]');
    this.#start = $('[data-action="start"]');
    this.#extend = $('[data-action="extend"]');
    this.#end = $('[data-action="end"]');
    this.#workspace = $('[data-role="workspace"]');
    this.#flows = new FlowPanel($('[data-role="flow"]'), this.#t);
    this.#terminals = new HostTerminals(root, this.#keys, {
      onState: (host, state, selected) => this.#connectionState(host, state, selected),
      onControl: (host, message) => {
        if (message.type === 'daemon') {
          const key = message.state === 'running' ? 'doca.lab.daemonRunning' : message.state === 'restarting' ? 'doca.lab.daemonRestarting' : 'doca.lab.daemonFailed';
          this.#setStatus(this.#t(key, { host }));
        }
        if (message.type === 'progress') this.#steps?.show(message.steps);
        if (message.type === 'flow') this.#flows.show(message.flow);
        if (message.type === 'watched') this.#classHelp.watched(message.watching);
      },
      onFinal: (reason) => (reason === 'replaced' ? this.#setStatus(this.#t('doca.lab.replaced')) : this.#session && void this.#call('GET', `/api/sessions/${this.#session.id}`)),
    });
    this.#extend.addEventListener('click', () => void this.#call('POST', `/api/sessions/${this.#session!.id}/extend`));
    this.#end.addEventListener('click', () => void this.#call('DELETE', `/api/sessions/${this.#session!.id}`));
    this.#check = $('[data-action="check"]');
    this.#check.addEventListener('click', () => void this.#checkNow());
    this.#addRunButtons();
    this.#nameForm();
    const definition = labs.get(this.lab);
    const locale = document.documentElement.lang === 'pt-BR' ? 'pt-BR' : 'en';
    if (definition) {
      const steps = (this.#steps = new StepList(root, definition, locale, this.#t));
      // What the learner passed before (another session, another device) shows before any session runs.
      void this.#me
        .then(() => fetch(`/api/me/progress?lab=${encodeURIComponent(this.lab)}`))
        .then(async (response) => (response.ok ? learnerProgressSchema.parse(await response.json()) : undefined))
        .then((progress) => progress && steps.showDurable(progress.steps))
        .catch(() => undefined); // the live checks still show this session's steps
    }
  }

  /** The optional display name (what an instructor sees): shown as saved, saved as it changes. */
  #nameForm(): void {
    const input = this.root.querySelector<HTMLInputElement>('[data-role="name"]')!;
    void this.#me.then((me) => {
      const learner = learnerSchema.safeParse(me);
      // What the learner already typed (maybe before this script loaded) wins over the saved name.
      if (learner.success && input.value === '') input.value = learner.data.displayName ?? '';
    });
    input.addEventListener('change', () => void this.saveName());
  }

  /** Saves the name field (also on Enter, which the page hands over). */
  async saveName(): Promise<void> {
    const input = this.root.querySelector<HTMLInputElement>('[data-role="name"]')!;
    const status = this.root.querySelector<HTMLElement>('[data-role="name-status"]')!;
    await this.#me;
    const displayName = input.value.trim() || null;
    const response = await fetch('/api/me', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName }) });
    status.textContent = response.ok ? this.#t('doca.lab.displayNameSaved') : this.#t('doca.lab.error', { message: String(response.status) });
  }

  /** A reload finds the learner's session again, with its terminals and their scrollback. */
  async resume(): Promise<void> {
    this.#terminals.preload();
    await this.#me;
    const response = await fetch(`/api/sessions?lab=${encodeURIComponent(this.lab)}`, { headers: { accept: 'application/json' } });
    if (!response.ok) return;
    const { session } = (await response.json()) as { session: unknown };
    if (session) this.#show(labSessionSchema.parse(session));
  }

  async start(): Promise<void> {
    if (this.#session && this.#session.state !== 'ended') return;
    this.#start.disabled = true;
    this.#setStatus(this.#t('doca.lab.starting'));
    await this.#call('POST', '/api/sessions', { lab: this.lab });
  }

  async #call(method: string, path: string, body?: unknown): Promise<void> {
    try {
      await this.#me;
      const response = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // Something in between (a proxy's 429 or 502 page) may answer with no JSON at all.
      const json: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const error = apiErrorSchema.safeParse(json);
        const refusal = refusalNotice(error.success ? error.data.error.code : undefined, response.headers.get('retry-after'));
        if (refusal) return this.#refused(refusal);
        throw new Error(error.success ? error.data.error.message : `HTTP ${response.status}`);
      }
      this.#show(labSessionSchema.parse(json));
    } catch (error) {
      this.#start.disabled = false;
      this.#setStatus(this.#t('doca.lab.error', { message: (error as Error).message }));
    }
  }

  /** A limit refused the call: the learner reads why and when to try again; a running session goes on. */
  #refused(refusal: RefusalNotice): void {
    this.#start.disabled = false;
    if (!refusal.offersExtend) this.#extend.hidden = this.#extensionsSpent = true;
    this.#setStatus(this.#t(refusal.status.key, refusal.status.values));
  }

  #show(session: LabSession): void {
    const previous = this.#session;
    this.#session = session;
    clearTimeout(this.#poll);
    this.root.dataset.state = session.state;
    this.#start.hidden = session.state !== 'ended';
    this.#start.disabled = false;
    if (previous?.id !== session.id) this.#extensionsSpent = false;
    this.#extend.hidden = this.#end.hidden = session.state !== 'running';
    this.#check.hidden = session.state !== 'running' || !this.#steps;
    if (this.#extensionsSpent) this.#extend.hidden = true;
    const notice = noticeOf(session);
    if (notice.state === 'queued' || notice.state === 'starting') {
      this.#setStatus(this.#t(notice.status.key, notice.status.values));
      this.#poll = setTimeout(() => void this.#call('GET', `/api/sessions/${session.id}`), sessionPollMs.waiting);
    } else if (notice.state === 'running') {
      this.#workspace.hidden = false;
      this.#startCountdown();
      this.#poll = setTimeout(() => void this.#call('GET', `/api/sessions/${session.id}`), sessionPollMs.running);
      if (previous?.id !== session.id || previous.state !== 'running') {
        if (previous?.id !== session.id) this.#flows.clear();
        void this.#terminals.open(session.id);
      }
    } else {
      this.#stopSession(this.#t(notice.status.key), this.#t(notice.start));
    }
  }

  /** The session ended: its terminals close, and Start offers a new one. */
  #stopSession(message: string, startLabel: string): void {
    clearTimeout(this.#poll);
    clearInterval(this.#tick);
    this.#countdown.textContent = '';
    this.#terminals.close();
    this.#classHelp.watched(false);
    this.#start.hidden = false;
    this.#start.textContent = startLabel;
    this.#extend.hidden = this.#end.hidden = true;
    this.#setStatus(message);
  }

  /** Asks for the running session soon, instead of at the next regular poll. */
  #checkSoon(): void {
    const session = this.#session;
    if (session?.state !== 'running') return;
    clearTimeout(this.#poll);
    this.#poll = setTimeout(() => void this.#call('GET', `/api/sessions/${session.id}`), checkAfterDisconnectMs);
  }

  #startCountdown(): void {
    clearInterval(this.#tick);
    const update = () => {
      const left = Date.parse(this.#session!.expiresAt!) - Date.now();
      this.#countdown.textContent = this.#t('doca.lab.timeLeft', { time: formatTimeLeft(left) });
      if (left <= 0) {
        clearInterval(this.#tick);
        void this.#call('GET', `/api/sessions/${this.#session!.id}`);
      }
    };
    update();
    this.#tick = setInterval(update, 1_000);
  }

  #connectionState(host: string, state: ConnectionState, selected: boolean): void {
    // Once the session has ended, its message stays on screen.
    if (this.#session?.state !== 'running') return;
    if (state === 'disconnected') this.#checkSoon();
    if (!selected) return;
    const key = state === 'connected' ? 'doca.lab.connected' : state === 'connecting' ? 'doca.lab.connecting' : 'doca.lab.disconnected';
    this.#setStatus(this.#t(key, { host }));
  }

  /** The Check button: the steps are checked now (they are also checked as things happen). */
  async #checkNow(): Promise<void> {
    const session = this.#session;
    if (session?.state !== 'running') return;
    this.#check.disabled = true;
    try {
      const response = await fetch(`/api/sessions/${session.id}/check`, { method: 'POST' });
      if (!response.ok) throw new Error(String(response.status));
      this.#steps?.show(labCheckSchema.parse(await response.json()).steps);
    } catch {
      this.#setStatus(this.#t('doca.lab.checkFailed'));
    } finally {
      this.#check.disabled = false;
    }
  }

  /** Each shell command block of the lesson gets "Run on hostN" (the block's title names the host). */
  #addRunButtons(): void {
    const text = document.querySelector('.doca-lab-text') ?? document;
    for (const block of text.querySelectorAll<HTMLElement>('.expressive-code')) {
      const pre = block.querySelector('pre[data-language]');
      if (!pre || !['sh', 'bash', 'shell'].includes(pre.getAttribute('data-language')!)) continue;
      const title = block.querySelector('figcaption .title')?.textContent?.trim() ?? '';
      const hosts = this.#terminals.names;
      const host = hosts.find((name) => name === title) ?? hosts[0];
      const lines = [...pre.querySelectorAll('.ec-line')].map((line) => line.textContent ?? '');
      const command = lines.join('\n').trim();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'doca-run';
      button.textContent = this.#t('doca.lab.run', { host });
      button.addEventListener('click', () => this.run(host, command));
      block.after(button);
    }
  }

  /** Types a command into a host's terminal (a run button); with no session yet, starts one first. */
  run(host: string, command: string): void {
    if (!this.#terminals.run(host, command)) void this.start();
  }

  #setStatus(text: string): void {
    this.#status.textContent = text;
  }
}
