// The learner's shell says when a command starts and how it ended, with marks in its own output:
// PS0 prints `ESC ] 6973 ; C ; <the command line, base64> BEL` once bash has read a command, and
// PROMPT_COMMAND prints `ESC ] 6973 ; D ; <exit status> BEL` before each prompt. The agent takes the
// marks out of the byte stream (the page's terminal never sees them) and hands them to the lab's
// checks and the command flow. An Enter on an empty line prints a D with no C before it: no command.
//
// The shell is the learner's, so the marks are too: a learner can print one by hand, or drop the
// hook. That only ever changes what their own `command` steps see; checks that matter read what the
// daemon did as well. The parser is bounded: a mark longer than `maxMarkBytes` is not a mark, and
// its bytes go to the terminal as they came.

/** The private OSC number Doca's marks use; terminals ignore OSC sequences they don't know. */
const oscNumber = '6973';
const introducer = Buffer.from(`\x1b]${oscNumber};`);
const bell = 0x07;
/** A command line is cut at 4 KiB before encoding; its base64 and the mark's frame fit in this. */
export const maxMarkBytes = 8 * 1024;
const maxCommandChars = 4096;

export type ShellMark = { kind: 'started'; command: string } | { kind: 'finished'; exitCode: number };

/**
 * The lines `.bashrc` gets. `history 1` gives the line as typed (HISTCONTROL is emptied so a
 * command that starts with a space or repeats the last one is still seen).
 */
export const shellHookLines = [
  'HISTCONTROL=',
  `__doca_started() { printf '\\e]${oscNumber};C;%s\\a' "$(HISTTIMEFORMAT= builtin history 1 | sed -E '1s/^ *[0-9]+\\*? *//' | head -c ${maxCommandChars} | base64 -w0)"; }`,
  `__doca_finished() { printf '\\e]${oscNumber};D;%s\\a' "$?"; }`,
  'PROMPT_COMMAND=__doca_finished',
  "PS0='$(__doca_started)'",
];

/** Reads marks out of a shell's output, chunk by chunk; a mark may be split across chunks. */
export class ShellMarks {
  #held: Buffer = Buffer.alloc(0);
  #onMark: (mark: ShellMark) => void;

  constructor(onMark: (mark: ShellMark) => void) {
    this.#onMark = onMark;
  }

  /** The chunk without the marks it completes; bytes that may begin a mark are held for the next chunk. */
  take(chunk: Buffer): Buffer {
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    this.#held = Buffer.alloc(0);
    const out: Buffer[] = [];
    let position = 0;
    while (position < data.length) {
      const start = data.indexOf(introducer, position);
      if (start === -1) {
        const keep = partialIntroducerAtEnd(data, position);
        out.push(data.subarray(position, data.length - keep));
        if (keep > 0) this.#held = Buffer.from(data.subarray(data.length - keep));
        break;
      }
      out.push(data.subarray(position, start));
      const end = data.indexOf(bell, start + introducer.length);
      if (end === -1) {
        if (data.length - start > maxMarkBytes) {
          out.push(data.subarray(start, start + introducer.length));
          position = start + introducer.length;
          continue;
        }
        this.#held = Buffer.from(data.subarray(start));
        break;
      }
      const body = data.subarray(start + introducer.length, end);
      const mark = body.length <= maxMarkBytes ? markOf(body.toString('latin1')) : undefined;
      if (mark) this.#onMark(mark);
      else out.push(data.subarray(start, end + 1));
      position = end + 1;
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }
}

function markOf(body: string): ShellMark | undefined {
  const started = /^C;([A-Za-z0-9+/=]*)$/.exec(body);
  if (started) {
    const command = Buffer.from(started[1], 'base64').toString('utf8').slice(0, maxCommandChars).trim();
    return command ? { kind: 'started', command } : undefined;
  }
  const finished = /^D;(\d{1,3})$/.exec(body);
  if (finished) return { kind: 'finished', exitCode: Math.min(Number(finished[1]), 255) };
  return undefined;
}

/** How many bytes at the end of `data` (from `from`) could be the start of the introducer. */
function partialIntroducerAtEnd(data: Buffer, from: number): number {
  for (let length = Math.min(introducer.length - 1, data.length - from); length > 0; length--) {
    if (data.subarray(data.length - length).equals(introducer.subarray(0, length))) return length;
  }
  return 0;
}
