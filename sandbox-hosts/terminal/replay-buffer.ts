// The last bytes a shell wrote, kept so a reconnecting terminal can redraw what the learner saw.

export class ReplayBuffer {
  readonly capacity: number;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size - this.#chunks[0].length >= this.capacity) this.#size -= this.#chunks.shift()!.length;
  }

  /**
   * At most `capacity` bytes, starting at a line start or at least a character boundary when the
   * oldest chunk has to be cut, so the replay doesn't begin with half a character.
   */
  contents(): Buffer {
    const all = Buffer.concat(this.#chunks, this.#size);
    if (all.length <= this.capacity) return all;
    let start = all.length - this.capacity;
    const newline = all.indexOf(0x0a, start);
    if (newline !== -1 && newline - start < 512) return all.subarray(newline + 1);
    while (start < all.length && (all[start] & 0xc0) === 0x80) start++; // skip UTF-8 continuation bytes
    return all.subarray(start);
  }
}
