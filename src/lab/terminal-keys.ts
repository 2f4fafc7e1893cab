// The keys the lab's terminals take for themselves before xterm.js sees them: copy and paste
// (Ctrl+Shift+C / Ctrl+Shift+V), and no keyboard trap — Tab is the shell's completion, and Ctrl+M
// (as in VS Code's terminal) switches Tab to moving focus out of the terminal and back. A handler
// returning false leaves the key to the browser (or, for the ones handled here, to nobody).
import type { Terminal } from '@xterm/xterm';

export class TerminalKeys {
  /** Whether Tab in a terminal moves focus instead of completing. */
  tabMovesFocus = false;
  readonly #onToggle: (tabMovesFocus: boolean) => void;

  /** `onToggle` hears each Ctrl+M, to say what Tab does now. */
  constructor(onToggle: (tabMovesFocus: boolean) => void) {
    this.#onToggle = onToggle;
  }

  /** For `terminal.attachCustomKeyEventHandler`: whether xterm.js should handle the key. */
  handle(terminal: Terminal, event: KeyboardEvent): boolean {
    return this.#focusKeys(event) && clipboardKeys(terminal, event);
  }

  #focusKeys(event: KeyboardEvent): boolean {
    if (event.type === 'keydown' && event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey && event.code === 'KeyM') {
      event.preventDefault();
      this.tabMovesFocus = !this.tabMovesFocus;
      this.#onToggle(this.tabMovesFocus);
      return false;
    }
    return !(this.tabMovesFocus && event.key === 'Tab');
  }
}

function clipboardKeys(terminal: Terminal, event: KeyboardEvent): boolean {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
  if (event.code === 'KeyC') {
    void navigator.clipboard.writeText(terminal.getSelection());
    return false;
  }
  if (event.code === 'KeyV') {
    void navigator.clipboard.readText().then((text) => terminal.paste(text));
    return false;
  }
  return true;
}
