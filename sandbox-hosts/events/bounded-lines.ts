// Splits a byte stream into newline-terminated lines, holding at most `maxLineBytes` of an unfinished
// line: a longer line is reported once and its bytes are skipped up to the next newline.

export interface BoundedLinesOptions {
  maxLineBytes: number;
  /** A complete line, without its newline; bytes, so a character split across chunks arrives whole. */
  onLine: (line: Buffer) => void;
  /** A line passed the limit; what is left of it is skipped without being held. */
  onOversize: () => void;
}

export class BoundedLines {
  #options: BoundedLinesOptions;
  #pieces: Buffer[] = [];
  #size = 0;
  #skipping = false;

  constructor(options: BoundedLinesOptions) {
    this.#options = options;
  }

  /** Bytes held of the line not yet finished. */
  get pending(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#skipping) this.#hold(chunk.subarray(start, end));
      if (newline === -1) return;
      start = newline + 1;
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      const line = Buffer.concat(this.#pieces, this.#size);
      this.#pieces = [];
      this.#size = 0;
      this.#options.onLine(line);
    }
  }

  #hold(piece: Buffer): void {
    if (this.#size + piece.length > this.#options.maxLineBytes) {
      this.#pieces = [];
      this.#size = 0;
      this.#skipping = true;
      this.#options.onOversize();
      return;
    }
    // A copy, so a short tail doesn't keep the whole chunk it came in alive.
    if (piece.length > 0) this.#pieces.push(Buffer.from(piece));
    this.#size += piece.length;
  }
}
