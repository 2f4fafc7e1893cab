import { describe, expect, it } from 'vitest';
import type { BuildEvent } from './build.ts';
import { createProgressPrinter, formatResult } from './progress.ts';

const result = { name: 'postgres', tags: ['latest', '15'], buildHash: 'h', digest: 'sha256:d', digests: { latest: 'sha256:d', '15': 'sha256:d' } };

describe('the CLI progress display', () => {
  it('prints the time and sizes of a pushed image and the download size of a cached one', () => {
    expect(formatResult({ ...result, status: 'built', seconds: 41.25, pullBytes: 74_012_345, imageBytes: 212_400_000 })).toBe(
      'pushed    41.3 s   212.4 MB, 74.0 MB to pull',
    );
    expect(formatResult({ ...result, status: 'cached', seconds: 0.1, pullBytes: 4_800 })).toBe('cached     0.1 s   4.8 kB to pull');
    expect(formatResult({ ...result, status: 'restored', seconds: 3.1, pullBytes: 4_800, imageBytes: 9_600 })).toBe('restored   3.1 s   9.6 kB, 4.8 kB to pull');
  });

  it('writes one line per state to a log and ends each image with its result', () => {
    let written = '';
    const print = createProgressPrinter({ write: (text: string) => ((written += text), true) } as unknown as NodeJS.WritableStream);
    const events: BuildEvent[] = [
      { type: 'image-start', image: 'postgres' },
      { type: 'image-untrusted', image: 'postgres', reason: 'library/postgres:latest is sha256:e, pinned sha256:d' },
      { type: 'image-step', image: 'postgres', step: 'building' },
      { type: 'image-done', result: { ...result, status: 'built', seconds: 3, pullBytes: 2_000_000 } },
    ];
    events.forEach(print);
    expect(written.split('\n')).toEqual([
      '  postgres     not as pinned: library/postgres:latest is sha256:e, pinned sha256:d',
      '  postgres     building…',
      '✓ postgres     pushed     3.0 s   2.0 MB to pull',
      '',
    ]);
  });
});
