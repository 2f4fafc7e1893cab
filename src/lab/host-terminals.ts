// The session's terminals in the page: one xterm.js terminal per host behind ARIA tabs, each
// connected to its host's shell through the control plane, opened as its tab is first shown, and
// the lesson's run buttons typing into them (held until the host's terminal is ready).
import type { Terminal } from '@xterm/xterm';
import type { TerminalServerMessage } from '../../protocol/terminal.ts';
import { TerminalConnection, type ConnectionState } from './terminal-connection';
import type { TerminalKeys } from './terminal-keys';

interface HostView {
  name: string;
  tab: HTMLButtonElement;
  panel: HTMLElement;
  terminal?: Terminal;
  connection?: TerminalConnection;
  fit?: () => void;
}

export interface HostTerminalsEvents {
  /** A host's connection changed state; `selected` when it is the tab on show. */
  onState: (host: string, state: ConnectionState, selected: boolean) => void;
  onControl: (host: string, message: TerminalServerMessage) => void;
  /** The connection won't come back by itself: another tab took it, or the session ended. */
  onFinal: (reason: 'replaced' | 'ended') => void;
}

export class HostTerminals {
  readonly #hosts: HostView[];
  readonly #keys: TerminalKeys;
  readonly #events: HostTerminalsEvents;
  readonly #screenReader: HTMLInputElement;
  /** The running session's id, while terminals may open. */
  #session: string | undefined;
  #pending: { host: string; command: string }[] = [];
  #xtermModules: Promise<[typeof import('@xterm/xterm'), typeof import('@xterm/addon-fit')]> | undefined;

  constructor(root: HTMLElement, keys: TerminalKeys, events: HostTerminalsEvents) {
    this.#keys = keys;
    this.#events = events;
    this.#screenReader = root.querySelector<HTMLInputElement>('[data-action="screen-reader"]')!;
    this.#hosts = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')].map((tab) => ({
      name: tab.dataset.host!,
      tab,
      panel: root.querySelector<HTMLElement>(`#${tab.getAttribute('aria-controls')}`)!,
    }));
    this.#screenReader.addEventListener('change', () => this.#hosts.forEach((h) => h.terminal && (h.terminal.options.screenReaderMode = this.#screenReader.checked)));
    for (const host of this.#hosts) {
      host.tab.addEventListener('click', () => void this.#select(host));
      host.tab.addEventListener('keydown', (event) => this.#tabKeys(event, host));
    }
  }

  get names(): string[] {
    return this.#hosts.map((host) => host.name);
  }

  /** Loads xterm.js ahead of need (while the learner reads), so Start opens terminals at once. */
  preload(): void {
    void this.#xterm();
  }

  /** A new running session: its terminals open as their tabs are shown, the selected one now. */
  async open(session: string): Promise<void> {
    this.#session = session;
    for (const host of this.#hosts) {
      host.connection?.dispose();
      host.terminal?.dispose();
      host.panel.replaceChildren();
      Object.assign(host, { terminal: undefined, connection: undefined, fit: undefined });
    }
    // A run button pressed before Start chose the host; otherwise the tab that was selected.
    const pending = this.#hosts.find((h) => h.name === this.#pending[0]?.host);
    await this.#select(pending ?? this.#hosts.find((h) => h.tab.getAttribute('aria-selected') === 'true') ?? this.#hosts[0]);
  }

  /** The session ended: every connection closes (the terminals keep what they show). */
  close(): void {
    this.#session = undefined;
    for (const host of this.#hosts) host.connection?.dispose();
  }

  /**
   * Types a command into a host's terminal, as a run button does. Returns false when no session runs
   * yet: the command waits for the host's terminal, and the caller starts one.
   */
  run(hostName: string, command: string): boolean {
    const host = this.#hosts.find((h) => h.name === hostName)!;
    if (host.connection?.state === 'connected') {
      void this.#select(host);
      host.connection.send(`${command}\r`);
      return true;
    }
    this.#pending.push({ host: hostName, command });
    if (this.#session === undefined) return false;
    void this.#select(host);
    return true;
  }

  async #openHost(host: HostView): Promise<void> {
    const session = this.#session;
    if (host.terminal || session === undefined) return;
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
    const connection = new TerminalConnection(`${protocol}//${location.host}/api/sessions/${session}/hosts/${host.name}/terminal`, {
      onState: (state) => this.#stateOf(host, state),
      onControl: (message) => {
        if (message.type === 'ready') this.#typePending(host);
        this.#events.onControl(host.name, message);
      },
      onFinal: (reason) => this.#events.onFinal(reason),
    });
    Object.assign(host, { terminal, connection, fit: () => fit.fit() });
    new ResizeObserver(() => !host.panel.hidden && fit.fit()).observe(host.panel);
    terminal.loadAddon(connection);
  }

  #xterm() {
    return (this.#xtermModules ??= Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]));
  }

  #stateOf(host: HostView, state: ConnectionState): void {
    host.tab.dataset.connection = state;
    this.#events.onState(host.name, state, host.tab.getAttribute('aria-selected') === 'true');
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
    if (host.connection) this.#stateOf(host, host.connection.state);
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

  #typePending(host: HostView): void {
    const mine = this.#pending.filter((c) => c.host === host.name);
    this.#pending = this.#pending.filter((c) => c.host !== host.name);
    if (mine.length > 0) void this.#select(host);
    for (const { command } of mine) host.connection!.send(`${command}\r`);
  }
}
