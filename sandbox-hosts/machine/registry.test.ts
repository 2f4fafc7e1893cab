// Starting Debian's registry: a registry an earlier, killed run left behind never stays in the way.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTree } from '../system/shell.ts';
import { startRegistry, type Registry } from './registry.ts';

describe('a registry process', () => {
  let tmp: string;
  const started: Registry[] = [];
  beforeAll(async () => {
    tmp = await mkdtemp('/tmp/doca-registry-');
  });
  afterAll(async () => {
    for (const registry of started) await registry.stop();
    if (tmp) await removeTree(tmp);
  });

  it('stops a registry left serving the same configuration file before starting', async () => {
    const spec = { storage: join(tmp, 'storage'), readOnly: true, configFile: join(tmp, 'registry.yml') };
    // The one a killed run left: never stopped by its owner.
    const leftover = await startRegistry({ ...spec, address: '127.0.0.1:0' });
    started.push(leftover);
    const fresh = await startRegistry({ ...spec, address: '127.0.0.1:0' });
    started.push(fresh);
    await expect(fetch(`http://${leftover.address}/v2/`)).rejects.toThrow();
    expect((await fetch(`http://${fresh.address}/v2/`)).status).toBe(200);
  });

  it('refuses a port another process listens on, instead of taking that process for itself', async () => {
    const other = await startRegistry({ storage: join(tmp, 'other'), readOnly: false, configFile: join(tmp, 'other.yml'), address: '127.0.0.1:0' });
    started.push(other);
    const taken = Number(other.address.split(':')[1]);
    await expect(startRegistry({ storage: join(tmp, 'storage'), readOnly: true, configFile: join(tmp, 'mine.yml'), address: `127.0.0.1:${taken}` })).rejects.toThrow(
      `127.0.0.1:${taken} is already in use by another process`,
    );
  });
});
