// What the preflight may look at and change on a machine. The real probe reads this machine; tests
// hand the preflight a simulated one with a prerequisite missing.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FileInfo {
  /** Permission bits, setuid included (e.g. 0o4755). */
  mode: number;
  uid: number;
  isCharacterDevice: boolean;
}

export interface CommandResult {
  code: number;
  output: string;
}

export interface MachineProbe {
  uid(): number;
  exists(path: string): boolean;
  stat(path: string): FileInfo | undefined;
  /** A text file's contents (e.g. under /proc), or undefined when it can't be read. */
  read(path: string): string | undefined;
  /** Free bytes for an unprivileged writer on the filesystem that holds `path` (or its nearest existing parent). */
  freeBytes(path: string): number;
  /** Runs a command (a repair); its output is kept for the message when it fails. */
  run(command: string, args: readonly string[], env?: Record<string, string>): Promise<CommandResult>;
  write(path: string, text: string): void;
  chmod(path: string, mode: number): void;
}

export const realProbe: MachineProbe = {
  uid: () => process.getuid?.() ?? -1,
  exists: (path) => existsSync(path),
  stat(path) {
    try {
      const stats = statSync(path);
      return { mode: stats.mode & 0o7777, uid: stats.uid, isCharacterDevice: stats.isCharacterDevice() };
    } catch {
      return undefined;
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  freeBytes(path) {
    let dir = path;
    while (!existsSync(dir) && dir !== '/') dir = dirname(dir);
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  },
  run(command, args, env) {
    return new Promise((resolve) => {
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (error) => resolve({ code: 127, output: error.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, output }));
    });
  },
  write: (path, text) => writeFileSync(path, text),
  chmod: (path, mode) => chmodSync(path, mode),
};
