// Help mode at the terminal: read-only watchers of a real shell on a real pty. What a watcher sends is
// hostile input to the root agent: it never reaches the shell, never stalls the learner's shell, and
// a terminal takes only a few watchers.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import {
  terminalCloseCodes,
  terminalProtocolErrorCode,
  terminalWatchLimits,
} from '../../protocol/terminal.ts';
import { RecordingSocket, until } from '../test-support/recording-socket.ts';
import { HostTerminal, type TerminalSocket } from './host-terminal.ts';

/** A learner's client: it acknowledges what it gets, as the browser does. */
function acknowledging(terminal: HostTerminal, socket: RecordingSocket): () => void {
  let acknowledged = 0;
  const timer = setInterval(() => {
    if (socket.bytes.length > acknowledged) terminal.receive(socket, JSON.stringify({ type: 'ack', bytes: socket.bytes.length - acknowledged }), false);
    acknowledged = socket.bytes.length;
  }, 5);
  return () => clearInterval(timer);
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A terminal on a bash whose home is a fresh folder holding one file, so a stray `rm -rf ~` would show. */
function newTerminal(options: { onInput?: () => void; onWatchersChanged?: (count: number) => void; log?: (event: Record<string, unknown>) => void } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'doca-watch-'));
  const keep = join(home, 'keep-me');
  writeFileSync(keep, 'the learner made this\n');
  const terminal = new HostTerminal({
    host: 'host1',
    spawnShell: ({ cols, rows }) =>
      spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols, rows, cwd: home, encoding: null, env: { PATH: process.env.PATH!, HOME: home, PS1: '$ ', TERM: 'xterm-256color' } }),
    ...options,
  });
  cleanups.push(() => {
    terminal.close('test over');
    rmSync(home, { recursive: true, force: true });
  });
  return { terminal, keep };
}

const type = (terminal: HostTerminal, socket: TerminalSocket, text: string) => terminal.receive(socket, Buffer.from(text), true);

describe('a watcher of a terminal (help mode)', () => {
  it('gets ready, the replay and then what the learner sees, as it happens', async () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    type(terminal, learner, 'echo before-the-watcher-$((2+2))\r');
    await until(() => learner.text.includes('before-the-watcher-4'), 'the echo');
    const watcher = new RecordingSocket();
    terminal.watch(watcher);
    expect(watcher.messages[0]).toMatchObject({ type: 'ready', host: 'host1' });
    expect(watcher.text).toContain('before-the-watcher-4');
    type(terminal, learner, 'echo while-watched-$((3+3))\r');
    await until(() => watcher.text.includes('while-watched-6'), 'the live output');
    expect(terminal.watcherCount).toBe(1);
    terminal.unwatch(watcher);
    expect(terminal.watcherCount).toBe(0);
  });

  it("is told the size of the learner's terminal when it comes and whenever the learner resizes, and its own resize changes nothing", async () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    terminal.receive(learner, JSON.stringify({ type: 'resize', cols: 132, rows: 40 }), false);
    const watcher = new RecordingSocket();
    terminal.watch(watcher);
    expect(watcher.messages.slice(0, 2)).toEqual([expect.objectContaining({ type: 'ready' }), { type: 'size', cols: 132, rows: 40 }]);
    terminal.receive(watcher, JSON.stringify({ type: 'resize', cols: 20, rows: 5 }), false);
    terminal.receive(learner, JSON.stringify({ type: 'resize', cols: 100, rows: 30 }), false);
    expect(watcher.messages.filter((message) => message.type === 'size')).toEqual([
      { type: 'size', cols: 132, rows: 40 },
      { type: 'size', cols: 100, rows: 30 },
    ]);
    type(terminal, learner, 'echo "$(tput cols)x$(tput lines)"\r');
    await until(() => learner.text.includes('100x30'), "the shell's own size");
  });

  it("never reaches the shell: a watcher's keystrokes, `rm -rf ~` included, and its resize change nothing, and don't count as the learner's input", async () => {
    let inputs = 0;
    const { terminal, keep } = newTerminal({ onInput: () => inputs++ });
    const learner = new RecordingSocket();
    terminal.attach(learner);
    type(terminal, learner, 'echo ready-$((1+1))\r');
    await until(() => learner.text.includes('ready-2'), 'the prompt');
    const watcher = new RecordingSocket();
    terminal.watch(watcher);
    const inputsBefore = inputs;
    type(terminal, watcher, 'rm -rf ~\r');
    type(terminal, watcher, 'echo typed-by-watcher-$((6*7))\r');
    terminal.receive(watcher, JSON.stringify({ type: 'resize', cols: 33, rows: 11 }), false);
    terminal.receive(watcher, 'rm -rf ~\r', false);
    expect(inputs).toBe(inputsBefore);
    type(terminal, learner, 'stty size; ls ~; echo checked-$((5+5))\r');
    await until(() => learner.text.includes('checked-10'), 'the check');
    expect(learner.text).toContain('24 80');
    expect(learner.text).toContain('keep-me');
    expect(learner.text).not.toContain('typed-by-watcher-42');
    expect(existsSync(keep)).toBe(true);
    // Nor did the watcher get an answer the learner's socket would: it is read-only, not misbehaving.
    expect(watcher.closed).toBeUndefined();
  });

  it("never holds the learner's shell back: a watcher that doesn't keep up is closed, the shell goes on", async () => {
    const logged: Record<string, unknown>[] = [];
    const { terminal } = newTerminal({ log: (event) => logged.push(event) });
    const learner = new RecordingSocket();
    terminal.attach(learner);
    cleanups.push(acknowledging(terminal, learner));
    const silent = new RecordingSocket(); // acknowledges nothing
    terminal.watch(silent);
    type(terminal, learner, 'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo flood-done-$((4*4))\r');
    await until(() => learner.text.includes('flood-done-16'), 'the whole output for the learner', 30_000);
    expect(silent.closed?.code).toBe(terminalCloseCodes.watcherBehind);
    expect(silent.bytes.length).toBeLessThanOrEqual(terminalWatchLimits.maxBehindBytes + 128 * 1024);
    expect(terminal.watcherCount).toBe(0);
    expect(logged).toContainEqual(expect.objectContaining({ event: 'terminal.watcher_behind' }));
  });

  it("closes a watcher whose socket's buffer keeps growing, though it acknowledges everything", async () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    cleanups.push(acknowledging(terminal, learner));
    const stuck = new RecordingSocket();
    stuck.sendBytes = function (data) {
      this.bytes = Buffer.concat([this.bytes, data]);
      this.buffered += data.length; // never leaves the agent
      terminal.receive(this, JSON.stringify({ type: 'ack', bytes: data.length }), false);
    };
    terminal.watch(stuck);
    type(terminal, learner, 'head -c 3000000 /dev/zero | tr "\\0" y; echo; echo stuck-done-$((5*5))\r');
    await until(() => learner.text.includes('stuck-done-25'), 'the whole output for the learner', 30_000);
    expect(stuck.closed?.code).toBe(terminalCloseCodes.watcherBehind);
  });

  it('closes a watcher that acknowledges more than it was sent, and only it', async () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    const liar = new RecordingSocket();
    terminal.watch(liar);
    terminal.receive(liar, JSON.stringify({ type: 'ack', bytes: 10_000_000 }), false);
    expect(liar.closed?.code).toBe(terminalProtocolErrorCode);
    expect(terminal.watcherCount).toBe(0);
    expect(learner.closed).toBeUndefined();
    type(terminal, learner, 'echo learner-fine-$((7+7))\r');
    await until(() => learner.text.includes('learner-fine-14'), 'the echo');
  });

  it('takes at most a few watchers; another is refused', () => {
    const counts: number[] = [];
    const { terminal } = newTerminal({ onWatchersChanged: (count) => counts.push(count) });
    const watchers = Array.from({ length: terminalWatchLimits.maxWatchers + 1 }, () => new RecordingSocket());
    for (const watcher of watchers) terminal.watch(watcher);
    expect(terminal.watcherCount).toBe(terminalWatchLimits.maxWatchers);
    expect(watchers.at(-1)!.closed?.code).toBe(terminalCloseCodes.watchersFull);
    expect(watchers.slice(0, -1).every((watcher) => watcher.closed === undefined)).toBe(true);
    terminal.unwatch(watchers[0]);
    expect(counts).toEqual([1, 2, 3, 2]);
  });

  it('drops a watcher whose socket fails, and the learner sees nothing of it', async () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    const broken = new RecordingSocket();
    terminal.watch(broken);
    broken.sendBytes = () => {
      throw new Error('socket gone');
    };
    type(terminal, learner, 'echo after-broken-$((8+8))\r');
    await until(() => learner.text.includes('after-broken-16'), 'the echo');
    expect(terminal.watcherCount).toBe(0);
    expect(learner.closed).toBeUndefined();
  });

  it("tells the learner's socket whether anyone watches, now and when it connects again", () => {
    const { terminal } = newTerminal();
    const learner = new RecordingSocket();
    terminal.attach(learner);
    terminal.showWatched(true);
    terminal.showWatched(true); // said once
    expect(learner.messages.filter((message) => message.type === 'watched')).toEqual([{ type: 'watched', watching: true }]);
    const reloaded = new RecordingSocket();
    terminal.attach(reloaded);
    expect(reloaded.messages).toContainEqual({ type: 'watched', watching: true });
    terminal.showWatched(false);
    expect(reloaded.messages.at(-1)).toEqual({ type: 'watched', watching: false });
    const later = new RecordingSocket();
    terminal.attach(later);
    expect(later.messages.some((message) => message.type === 'watched')).toBe(false);
  });

  it('ends watchers with the session, and takes none after', () => {
    const { terminal } = newTerminal();
    const watcher = new RecordingSocket();
    terminal.watch(watcher);
    terminal.close('Time is up.');
    expect(watcher.messages.at(-1)).toEqual({ type: 'error', code: 'session_ended', message: 'Time is up.' });
    expect(watcher.closed?.code).toBe(terminalCloseCodes.sessionEnded);
    const late = new RecordingSocket();
    terminal.watch(late);
    expect(late.closed?.code).toBe(terminalCloseCodes.sessionEnded);
    expect(terminal.watcherCount).toBe(0);
  });
});
