import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const start = fileURLToPath(new URL('./start.mjs', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

function runStart(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; node?: string; script?: string } = {}) {
  const { node = process.execPath, script = start, ...spawnOptions } = options;
  return spawnSync(node, [script, ...args], { ...spawnOptions, env: { ...process.env, ...options.env }, encoding: 'utf8' });
}

/**
 * A copy of node and of start.mjs with every module it imports, in a folder anyone can read: the
 * clone may sit where only root can (anything under /root), and there another user can neither
 * run node_modules' node nor read the script.
 */
function copyReadableByAnyone(): { dir: string; node: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'doca-start-test-'));
  chmodSync(dir, 0o755);
  const node = join(dir, 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  chmodSync(node, 0o755);
  const copied = new Set<string>();
  const copyModule = (file: string) => {
    if (copied.has(file)) return;
    copied.add(file);
    const target = join(dir, 'project', relative(projectRoot, file));
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    copyFileSync(file, target);
    chmodSync(target, 0o644);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g)) {
      copyModule(resolve(dirname(file), specifier));
    }
  };
  copyModule(start);
  return { dir, node, script: join(dir, 'project', relative(projectRoot, start)) };
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
    // As root, a copy readable by anyone runs as nobody; otherwise the script runs as the user running the tests.
    const copy = process.getuid?.() === 0 ? copyReadableByAnyone() : undefined;
    try {
      const result = copy
        ? runStart([], { uid: 65534, gid: 65534, cwd: copy.dir, node: copy.node, script: copy.script })
        : runStart([]);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe(
        'The sandbox host needs root: run `sudo npm start` (or `npm start` as root), or serve the site alone with `npm start -- --site-only`.',
      );
    } finally {
      if (copy) rmSync(copy.dir, { recursive: true, force: true });
    }
  });
});
