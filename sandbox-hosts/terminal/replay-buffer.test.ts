import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.ts';

describe('ReplayBuffer', () => {
  it('keeps everything while under capacity', () => {
    const buffer = new ReplayBuffer(16);
    buffer.push(Buffer.from('abc'));
    buffer.push(Buffer.from('def'));
    expect(buffer.contents().toString()).toBe('abcdef');
  });

  it('keeps only the newest bytes, at most the capacity', () => {
    const buffer = new ReplayBuffer(1024);
    for (let i = 0; i < 500; i++) buffer.push(Buffer.from(`${String(i).padStart(6, '0')}|`));
    const text = buffer.contents().toString();
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(text.endsWith('000499|')).toBe(true);
    expect(text).not.toContain('000300|');
  });

  it('starts a cut replay after a line break when there is one nearby', () => {
    const buffer = new ReplayBuffer(64);
    for (let i = 0; i < 20; i++) buffer.push(Buffer.from(`line ${i}\r\n`));
    const text = buffer.contents().toString();
    expect(text.startsWith('line ')).toBe(true);
    expect(text.endsWith('line 19\r\n')).toBe(true);
  });

  it('never starts in the middle of a UTF-8 character', () => {
    const buffer = new ReplayBuffer(10);
    buffer.push(Buffer.from('ção'.repeat(20)));
    const bytes = buffer.contents();
    expect(bytes.length).toBeLessThanOrEqual(10);
    expect(bytes.toString()).not.toContain('\uFFFD');
  });
});
