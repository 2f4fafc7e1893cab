import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const start = fileURLToPath(new URL('./start.mjs', import.meta.url));

function runStart(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}) {
  return spawnSync(process.execPath, [start, ...args], { ...options, env: { ...process.env, ...options.env }, encoding: 'utf8' });
}

describe('npm start', () => {
  it.each(['abc', '0', '70000', '80.5'])('refuses PORT=%s with one line naming the variable', (port) => {
    const result = runStart(['--no-build'], { env: { PORT: port } });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`PORT=${port} is not a TCP port: use a whole number from 1 to 65535.`);
  });

  it('refuses an unknown option, naming the ones it takes', () => {
    const result = runStart(['--no-build', '--sitonly']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('npm start takes --no-build and --site-only, not --sitonly.');
  });

  it('without root, stops before building with one line naming sudo and --site-only', () => {
    // As root, the script runs as nobody; otherwise as the user running the tests.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = runStart([], asNobody);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(
      'The sandbox host needs root: run `sudo npm start` (or `npm start` as root), or serve the site alone with `npm start -- --site-only`.',
    );
  });
});
