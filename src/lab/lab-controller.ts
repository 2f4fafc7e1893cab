// Runs a lesson's lab in the page: starts (or finds again) the learner's session, shows its state
// and time left, opens one xterm.js terminal per host, and gives the lesson's command blocks a
// button that types them into a host's terminal.
import type { Terminal } from '@xterm/xterm';
import { labSessionSchema, learnerProgressSchema, learnerSchema, sessionPollMs, type LabSession } from '../../protocol/control-plane.ts';
import { apiErrorSchema } from '../../protocol/api.ts';
import { labCheckSchema } from '../../protocol/agent.ts';
import { formatTimeLeft, formatter, type LabStrings } from './lab-strings';
import { refusalNotice, type RefusalNotice } from './refusal-notice';
import { noticeOf } from './session-notice';
import { showProgressAcrossLabs } from './progress-across-labs';
import { labs } from '../labs/index.ts';
import { StepList } from './step-list';
import { TerminalConnection, type ConnectionState } from './terminal-connection';
import { TerminalKeys } from './terminal-keys';

/** A terminal that dropped may mean the session ended (its agent stopped): ask this soon after. */
const checkAfterDisconnectMs = 2_000;

interface HostView {
  name: string;
  tab: HTMLButtonElement;
  panel: HTMLElement;
  terminal?: Terminal;
  connection?: TerminalConnection;
  fit?: () => void;
}

export class LabController {
  readonly root: HTMLElement;
  readonly lab: string;
  #t: ReturnType<typeof formatter>;
  #session: LabSession | undefined;
  #hosts: HostView[];
  #poll: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #status: HTMLElement;
  #countdown: HTMLElement;
  #start: HTMLButtonElement;
  #extend: HTMLButtonElement;
  #end: HTMLButtonElement;
  #workspace: HTMLElement;
  #screenReader: HTMLInputElement;
  #pendingCommands: { host: string; command: string }[] = [];
  /** The running session has had every extension it may have: Extend stays hidden for it. */
  #extensionsSpent = false;
  #check: HTMLButtonElement;
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
    const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
    this.#status = $('[data-role="status"]');
    this.#countdown = $('[data-role="countdown"]');
    this.#start = $('[data-action="start"]');
    this.#extend = $('[data-action="extend"]');
    this.#end = $('[data-action="end"]');
    this.#workspace = $('[data-role="workspace"]');
    this.#screenReader = $('[data-action="screen-reader"]');
    this.#hosts = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')].map((tab) => ({
      name: tab.dataset.host!,
      tab,
      panel: root.querySelector<HTMLElement>(`#${tab.getAttribute('aria-controls')}`)!,
    }));
    this.#extend.addEventListener('click', () => void this.#call('POST', `/api/sessions/${this.#session!.id}/extend`));
    this.#end.addEventListener('click', () => void this.#call('DELETE', `/api/sessions/${this.#session!.id}`));
    this.#check = $('[data-action="check"]');
    this.#check.addEventListener('click', () => void this.#checkNow());
    this.#screenReader.addEventListener('change', () => this.#hosts.forEach((h) => h.terminal && (h.terminal.options.screenReaderMode = this.#screenReader.checked)));
    for (const host of this.#hosts) {
      host.tab.addEventListener('click', () => void this.#select(host));
      host.tab.addEventListener('keydown', (event) => this.#tabKeys(event, host));
    }
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
    void this.#xterm(); // parsed while the learner reads, ready when they press Start
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
      if (previous?.id !== session.id || previous.state !== 'running') void this.#openTerminals();
    } else {
      this.#stopSession(this.#t(notice.status.key), this.#t(notice.start));
    }
  }

  /** The session ended: its terminals close, and Start offers a new one. */
  #stopSession(message: string, startLabel: string): void {
    clearTimeout(this.#poll);
    clearInterval(this.#tick);
    this.#countdown.textContent = '';
    for (const host of this.#hosts) host.connection?.dispose();
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

  /** A new running session: its terminals open as their tabs are shown, the selected one now. */
  async #openTerminals(): Promise<void> {
    for (const host of this.#hosts) {
      host.connection?.dispose();
      host.terminal?.dispose();
      host.panel.replaceChildren();
      Object.assign(host, { terminal: undefined, connection: undefined, fit: undefined });
    }
    // A run button pressed before Start chose the host; otherwise the tab that was selected.
    const pending = this.#hosts.find((h) => h.name === this.#pendingCommands[0]?.host);
    await this.#select(pending ?? this.#hosts.find((h) => h.tab.getAttribute('aria-selected') === 'true') ?? this.#hosts[0]);
  }

  async #openHost(host: HostView): Promise<void> {
    if (host.terminal || this.#session?.state !== 'running') return;
    const session = this.#session;
    const [{ Terminal }, { FitAddon }] = await this.#xterm();
    if (host.terminal || this.#session !== session) return;
    const terminal = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5_000,
      screenReaderMode: this.#screenReader.checked,
      theme: { background: '#0f1419', foreground: '#e6e1cf' },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host.panel);
    fit.fit();
    terminal.attachCustomKeyEventHandler((event) => this.#keys.handle(terminal, event));
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const connection = new TerminalConnection(`${protocol}//${location.host}/api/sessions/${session.id}/hosts/${host.name}/terminal`, {
      onState: (state) => this.#connectionState(host, state),
      onControl: (message) => {
        if (message.type === 'daemon') {
          const key = message.state === 'running' ? 'doca.lab.daemonRunning' : message.state === 'restarting' ? 'doca.lab.daemonRestarting' : 'doca.lab.daemonFailed';
          this.#setStatus(this.#t(key, { host: host.name }));
        }
        if (message.type === 'ready') this.#flushCommands(host);
        if (message.type === 'progress') this.#steps?.show(message.steps);
      },
      onFinal: (reason) => (reason === 'replaced' ? this.#setStatus(this.#t('doca.lab.replaced')) : void this.#call('GET', `/api/sessions/${session.id}`)),
    });
    Object.assign(host, { terminal, connection, fit: () => fit.fit() });
    new ResizeObserver(() => !host.panel.hidden && fit.fit()).observe(host.panel);
    terminal.loadAddon(connection);
  }

  #xtermModules: Promise<[typeof import('@xterm/xterm'), typeof import('@xterm/addon-fit')]> | undefined;
  #xterm() {
    return (this.#xtermModules ??= Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]));
  }

  #connectionState(host: HostView, state: ConnectionState): void {
    host.tab.dataset.connection = state;
    // Once the session has ended, its message stays on screen.
    if (this.#session?.state !== 'running') return;
    if (state === 'disconnected') this.#checkSoon();
    if (host.tab.getAttribute('aria-selected') !== 'true') return;
    const key = state === 'connected' ? 'doca.lab.connected' : state === 'connecting' ? 'doca.lab.connecting' : 'doca.lab.disconnected';
    this.#setStatus(this.#t(key, { host: host.name }));
  }

  async #select(host: HostView): Promise<void> {
    for (const other of this.#hosts) {
      const selected = other === host;
      other.tab.setAttribute('aria-selected', String(selected));
      other.tab.tabIndex = selected ? 0 : -1;
      other.panel.hidden = !selected;
    }
    await this.#openHost(host);
    host.fit?.();
    host.terminal?.focus();
    if (host.connection) this.#connectionState(host, host.connection.state);
  }

  /** Arrow keys, Home and End move between host tabs (the ARIA tabs pattern). */
  #tabKeys(event: KeyboardEvent, host: HostView): void {
    const index = this.#hosts.indexOf(host);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: this.#hosts.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = this.#hosts[(next + this.#hosts.length) % this.#hosts.length];
    target.tab.focus();
    void this.#select(target);
  }

  /** Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes; everything else goes to the shell. */
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
      const host = this.#hosts.find((h) => h.name === title)?.name ?? this.#hosts[0].name;
      const lines = [...pre.querySelectorAll('.ec-line')].map((line) => line.textContent ?? '');
      const command = lines.join('\n').trim();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'doca-run';
      button.textContent = this.#t('doca.lab.run', { host });
      button.addEventListener('click', () => this.#run(host, command));
      block.after(button);
    }
  }

  #run(hostName: string, command: string): void {
    const host = this.#hosts.find((h) => h.name === hostName)!;
    if (host.connection?.state === 'connected') {
      void this.#select(host);
      host.connection.send(`${command}\r`);
      return;
    }
    // Typed once the host's terminal is ready: after Start, or once its tab opens.
    this.#pendingCommands.push({ host: hostName, command });
    if (this.#session?.state === 'running') void this.#select(host);
    else void this.start();
  }

  #flushCommands(host: HostView): void {
    const mine = this.#pendingCommands.filter((c) => c.host === host.name);
    this.#pendingCommands = this.#pendingCommands.filter((c) => c.host !== host.name);
    if (mine.length > 0) void this.#select(host);
    for (const { command } of mine) host.connection!.send(`${command}\r`);
  }

  #setStatus(text: string): void {
    this.#status.textContent = text;
  }
}
