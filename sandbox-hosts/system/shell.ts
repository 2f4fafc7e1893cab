// Runs host commands for the agent, the image pipeline and their tests, and removes trees that may still hold mounts.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

export type RunOptions = {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  /** Appends the command line and everything it prints to this file. */
  log?: string;
  signal?: AbortSignal;
};

export type RunResult = { code: number; stdout: string; stderr: string };

/** Runs a command to completion. A non-zero exit is a result, not an exception: see `check` for that. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (options.log) await appendFile(options.log, `\n$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      signal: options.signal,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Log writes are chained so the file keeps the order the command printed in.
    let logged = Promise.resolve();
    const collect = (text: string, isError: boolean) => {
      if (isError) stderr += text;
      else stdout += text;
      if (options.log) logged = logged.then(() => appendFile(options.log as string, text));
    };
    // Decoded as UTF-8 by the streams, so a character split across two chunks stays whole.
    child.stdout?.setEncoding('utf8').on('data', (text: string) => collect(text, false));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => collect(text, true));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      logged.then(() => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }), reject);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export class CommandError extends Error {
  readonly result: RunResult;
  constructor(command: string, args: string[], result: RunResult) {
    const said = tail(`${result.stdout}\n${result.stderr}`, 8);
    super(`\`${[command, ...args].join(' ')}\` exited with ${result.code}${said ? `:\n${said}` : ''}`);
    this.result = result;
  }
}

/** Runs a command and throws a CommandError, with the end of its output, when it fails. */
export async function check(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError(command, args, result);
  return result;
}

/** The last `count` non-empty lines of a text. */
export function tail(text: string, count: number): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

export async function tailOfFile(path: string, count: number): Promise<string> {
  return tail(await readFile(path, 'utf8').catch(() => ''), count);
}

/**
 * Deletes a directory tree. An interrupted debootstrap or dockerd can leave mounts (proc, overlay) inside
 * it; they are detached first so the delete never reaches into a mounted filesystem.
 */
export async function removeTree(path: string): Promise<void> {
  await unmountUnder(path);
  await rm(resolve(path), { recursive: true, force: true });
}

/** Detaches every mount at or below `path`; lazily, so a leftover that is still busy cannot block it. */
export async function unmountUnder(path: string): Promise<void> {
  for (const mountPoint of await mountsUnder(resolve(path))) {
    await run('umount', ['--lazy', mountPoint]);
  }
}

/** Mount points at or below `dir`, deepest first. */
async function mountsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return mountinfo
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Whether a process still runs. A zombie does not: the processes of a killed run are re-parented to init,
 * which may take a while to reap them, and until then `kill -0` still succeeds.
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

/** Runs a command whose failure is an expected answer (a probe), returning whether it succeeded. */
export async function succeeds(command: string, args: string[]): Promise<boolean> {
  return (await run(command, args)).code === 0;
}
