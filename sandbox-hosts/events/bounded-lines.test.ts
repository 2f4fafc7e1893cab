// Line splitting of an untrusted stream: every chunk boundary, and memory bounded by the limit.
import { describe, expect, it } from 'vitest';
import { BoundedLines } from './bounded-lines.ts';

function newReader(maxLineBytes: number) {
  const lines: string[] = [];
  let oversize = 0;
  const reader = new BoundedLines({ maxLineBytes, onLine: (line) => lines.push(line.toString('utf8')), onOversize: () => oversize++ });
  return { reader, lines, oversize: () => oversize };
}

describe('bounded lines', () => {
  it('splits lines at every chunk boundary, a multi-byte character cut in two included', () => {
    const text = Buffer.from('first\nsecond ☕ line\n\nlast\n');
    for (let cut = 0; cut <= text.length; cut++) {
      const { reader, lines } = newReader(64);
      reader.push(text.subarray(0, cut));
      reader.push(text.subarray(cut));
      expect(lines, `cut at ${cut}`).toEqual(['first', 'second ☕ line', '', 'last']);
    }
  });

  it('holds an unfinished line until its newline', () => {
    const { reader, lines } = newReader(64);
    reader.push(Buffer.from('no newline yet'));
    expect(lines).toEqual([]);
    expect(reader.pending).toBe(14);
    reader.push(Buffer.from('…now\n'));
    expect(lines).toEqual(['no newline yet…now']);
    expect(reader.pending).toBe(0);
  });

  it('reports a line past the limit once, holds none of it, and goes on after its newline', () => {
    const { reader, lines, oversize } = newReader(10);
    reader.push(Buffer.from('short\n0123456789'));
    expect(lines).toEqual(['short']);
    expect(oversize()).toBe(0);
    for (let i = 0; i < 1000; i++) {
      reader.push(Buffer.alloc(4096, 'x'));
      expect(reader.pending).toBeLessThanOrEqual(10);
    }
    expect(oversize()).toBe(1);
    reader.push(Buffer.from('tail\nnext\n'));
    expect(lines).toEqual(['short', 'next']);
    expect(oversize()).toBe(1);
  });

  it('keeps a line of exactly the limit', () => {
    const { reader, lines, oversize } = newReader(10);
    reader.push(Buffer.from('0123456789\n'));
    expect(lines).toEqual(['0123456789']);
    expect(oversize()).toBe(0);
  });
});
