import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const start = fileURLToPath(new URL('./start.mjs', import.meta.url));

describe('npm start', () => {
  it.each(['abc', '0', '70000', '80.5'])('refuses PORT=%s with one line naming the variable', (port) => {
    const result = spawnSync(process.execPath, [start, '--no-build'], { env: { ...process.env, PORT: port }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`PORT=${port} is not a TCP port: use a whole number from 1 to 65535.`);
  });
});
