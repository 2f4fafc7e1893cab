// Help mode on the instructor's page: the terminal of a learner who asked for help, read-only
// (xterm.js takes no input, and nothing typed is sent), one tab per host of the learner's lab, drawn
// at the size of the learner's own terminal (the agent says it), so the shell's line editing shows
// as the learner sees it. The view closes when the learner stops asking (the control plane closes
// the socket with helpEnded); a socket that drops for another reason is not reopened by itself.
import type { Terminal } from '@xterm/xterm';
import { instructorSubprotocol, watchCloseCodes, type ClassLearner } from '../../../protocol/classes.ts';
import { terminalFlowControl, terminalServerMessageSchema } from '../../../protocol/terminal.ts';
import { learnerName, type Translate } from '../class-strings';
import { element } from '../dom-text';

export class HelpView {
  readonly #section: HTMLElement;
  readonly #t: Translate;
  readonly #url: (learner: string, host: string) => string;
  readonly #secret: string;
  readonly #status: HTMLElement;
  #learner: ClassLearner | undefined;
  #opener: HTMLElement | undefined;
  #socket: WebSocket | undefined;
  #terminal: Terminal | undefined;

  constructor(section: HTMLElement, t: Translate, classID: string, secret: string) {
    this.#section = section;
    this.#t = t;
    this.#secret = secret;
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#url = (learner, host) => `${protocol}//${location.host}/api/classes/${classID}/learners/${encodeURIComponent(learner)}/hosts/${host}/watch`;
    this.#status = section.querySelector<HTMLElement>('[data-role="help-status"]')!;
    section.querySelector('[data-action="help-close"]')!.addEventListener('click', () => this.close());
  }

  get learner(): string | undefined {
    return this.#learner?.id;
  }

  /** Opens the learner's terminals: a tab per host, the first one shown. */
  async open(learner: ClassLearner, hosts: number, opener: HTMLElement): Promise<void> {
    this.#disconnect();
    this.#learner = learner;
    this.#opener = opener;
    this.#section.hidden = false;
    const heading = this.#section.querySelector<HTMLElement>('[data-role="help-title"]')!;
    heading.textContent = this.#t('doca.class.help.title', { name: learnerName(learner, this.#t) });
    const tabs = this.#section.querySelector<HTMLElement>('[data-role="help-tabs"]')!;
    const names = Array.from({ length: hosts }, (_, i) => `host${i + 1}`);
    tabs.replaceChildren(
      ...names.map((host) => {
        const tab = element('button', 'class-tab', host);
        tab.type = 'button';
        tab.id = `help-tab-${host}`;
        tab.setAttribute('role', 'tab');
        tab.setAttribute('aria-controls', 'help-terminal');
        tab.addEventListener('click', () => void this.#show(host));
        tab.addEventListener('keydown', (event) => {
          const index = names.indexOf(host);
          const next = { ArrowRight: index + 1, ArrowLeft: index - 1 }[event.key];
          if (next === undefined) return;
          const target = tabs.children[(next + names.length) % names.length] as HTMLButtonElement;
          target.focus();
          void this.#show(target.textContent!);
        });
        return tab;
      }),
    );
    heading.focus();
    await this.#show(names[0]);
  }

  /** The learner stopped asking for help (or left): their terminal closes with a word saying so. */
  helpEnded(learner: string): void {
    if (learner !== this.#learner?.id) return;
    this.#disconnect();
    this.#status.textContent = this.#t('doca.class.help.ended', { name: learnerName(this.#learner, this.#t) });
  }

  close(): void {
    this.#disconnect();
    this.#terminal?.dispose();
    this.#terminal = undefined;
    this.#learner = undefined;
    this.#section.hidden = true;
    this.#status.textContent = '';
    if (this.#opener?.isConnected) this.#opener.focus();
  }

  async #show(host: string): Promise<void> {
    const learner = this.#learner;
    if (!learner) return;
    for (const tab of this.#section.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
      const selected = tab.textContent === host;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    const panel = this.#section.querySelector<HTMLElement>('[data-role="help-terminal"]')!;
    panel.setAttribute('aria-labelledby', `help-tab-${host}`);
    const terminal = await this.#xterm(panel);
    if (this.#learner !== learner) return;
    terminal.reset();
    this.#disconnect();
    const name = learnerName(learner, this.#t);
    this.#status.textContent = this.#t('doca.class.help.connecting', { host, name });
    const socket = new WebSocket(this.#url(learner.id, host), [instructorSubprotocol, this.#secret]);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    let drawn = 0;
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        const message = terminalServerMessageSchema.safeParse(JSON.parse(event.data));
        if (message.success && message.data.type === 'ready') {
          if (message.data.replayed > 0) terminal.reset();
          this.#status.textContent = this.#t('doca.class.help.connected', { host, name });
        }
        if (message.success && message.data.type === 'size') terminal.resize(message.data.cols, message.data.rows);
        return;
      }
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      terminal.write(bytes, () => {
        // Acknowledged like the learner's own terminal, so the agent's flow control never holds this view back.
        drawn += bytes.length;
        if (drawn < terminalFlowControl.ackEvery || socket.readyState !== WebSocket.OPEN) return;
        socket.send(JSON.stringify({ type: 'ack', bytes: drawn }));
        drawn = 0;
      });
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      const key = event.code === watchCloseCodes.helpEnded ? 'doca.class.help.ended' : event.code === watchCloseCodes.classDeleted ? 'doca.class.dashboard.deleted' : 'doca.class.help.unavailable';
      this.#status.textContent = this.#t(key, { host, name });
    };
  }

  async #xterm(panel: HTMLElement): Promise<Terminal> {
    if (this.#terminal) return this.#terminal;
    const { Terminal } = await import('@xterm/xterm');
    const terminal = new Terminal({
      disableStdin: true,
      cursorBlink: false,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 16,
      scrollback: 5_000,
      theme: { background: '#0f1419', foreground: '#e6e1cf' },
    });
    terminal.open(panel);
    this.#terminal = terminal;
    return terminal;
  }

  #disconnect(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000);
  }
}
