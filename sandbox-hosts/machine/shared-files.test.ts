import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chargeSharedFilesToMachine, sandboxPrograms } from './shared-files.ts';

describe('charging shared programs to the machine', () => {
  it('reads a program and every library the loader maps for it', async () => {
    const bash = statSync('/bin/bash').size;
    const libc = statSync('/lib/x86_64-linux-gnu/libc.so.6').size;
    expect(await chargeSharedFilesToMachine(['/bin/bash'])).toBeGreaterThanOrEqual(bash + libc);
  });

  it('covers what a sandbox runs, and every listed program exists on a prepared machine', async () => {
    for (const program of sandboxPrograms) expect(statSync(program).isFile(), program).toBe(true);
    expect(await chargeSharedFilesToMachine()).toBeGreaterThan(150 * 1024 ** 2);
  });
});
