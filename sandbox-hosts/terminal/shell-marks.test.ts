// The shell's command marks: read from a real bash with the hook Doca writes into `.bashrc`, and
// out of a byte stream a learner shapes (split marks, forged marks, marks without end).
import { spawn } from 'node-pty';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostTerminal, type TerminalSocket } from './host-terminal.ts';
import { maxMarkBytes, shellHookLines, ShellMarks, type ShellMark } from './shell-marks.ts';

const started = (command: string) => `\x1b]6973;C;${Buffer.from(command).toString('base64')}\x07`;
const finished = (code: number) => `\x1b]6973;D;${code}\x07`;

function reader() {
  const marks: ShellMark[] = [];
  return { marks, shell: new ShellMarks((mark) => marks.push(mark)) };
}

describe('shell marks', () => {
  it('takes the marks out of the output and reports them in order', () => {
    const { marks, shell } = reader();
    const out = shell.take(Buffer.from(`${finished(0)}$ ${started('docker version\n')}Client: 28\r\n${finished(0)}$ `));
    expect(out.toString()).toBe('$ Client: 28\r\n$ ');
    expect(marks).toEqual([{ kind: 'finished', exitCode: 0 }, { kind: 'started', command: 'docker version' }, { kind: 'finished', exitCode: 0 }]);
  });

  it('puts a mark split across chunks, even one byte at a time, back together', () => {
    const { marks, shell } = reader();
    const stream = Buffer.from(`before ${started('docker ps -a')}after${finished(127)}\x1b[0m`);
    let out = '';
    for (const byte of stream) out += shell.take(Buffer.from([byte])).toString();
    expect(out).toBe('before after\x1b[0m');
    expect(marks).toEqual([{ kind: 'started', command: 'docker ps -a' }, { kind: 'finished', exitCode: 127 }]);
  });

  it('lets other escape sequences and malformed marks through as they came', () => {
    const { marks, shell } = reader();
    const other = '\x1b]0;title\x07\x1b]6973;X;junk\x07\x1b]6973;D;99999\x07\x1b]6973;C;not base64!\x07';
    expect(shell.take(Buffer.from(other)).toString()).toBe(other);
    expect(marks).toEqual([]);
  });

  it('does not hold output back for a mark that never ends', () => {
    const { marks, shell } = reader();
    const flood = Buffer.concat([Buffer.from('\x1b]6973;C;'), Buffer.alloc(maxMarkBytes + 10, 'A')]);
    const out = shell.take(flood);
    expect(out.length).toBe(flood.length);
    expect(shell.take(Buffer.from(`\x07${finished(1)}`)).toString()).toBe('\x07');
    expect(marks).toEqual([{ kind: 'finished', exitCode: 1 }]);
  });
});

describe('the hook in a real bash, through the terminal', () => {
  const folder = mkdtempSync(join(tmpdir(), 'doca-hook-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('marks each command with its line and exit status, and an empty Enter with no command', async () => {
    const rcfile = join(folder, 'bashrc');
    writeFileSync(rcfile, ["PS1='$ '", ...shellHookLines, ''].join('\n'));
    const marks: ShellMark[] = [];
    const terminal = new HostTerminal({
      host: 'host1',
      spawnShell: ({ cols, rows }) => spawn('bash', ['--rcfile', rcfile, '-i'], { name: 'xterm-256color', cols, rows, encoding: null, env: { PATH: process.env.PATH!, TERM: 'xterm-256color' } }),
      onShellMark: (mark) => marks.push(mark),
    });
    let seen = Buffer.alloc(0);
    const socket: TerminalSocket = {
      bufferedAmount: 0,
      sendBytes: (data, sent) => {
        seen = Buffer.concat([seen, data]);
        sent?.();
      },
      sendText: () => undefined,
      close: () => undefined,
      pauseInput: () => undefined,
      resumeInput: () => undefined,
    };
    terminal.attach(socket);
    const typed = (text: string) => terminal.receive(socket, Buffer.from(text), true);
    typed('echo marked-$((6*7))\r');
    typed('\r');
    typed(' ls /no/such/folder\r');
    typed('echo "two words" | wc -w\r');
    const deadline = Date.now() + 10_000;
    while (marks.filter((mark) => mark.kind === 'started').length < 3 || marks.at(-1)?.kind !== 'finished') {
      if (Date.now() > deadline) throw new Error(`marks so far: ${JSON.stringify(marks)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    terminal.close('test over');
    const commands = marks.flatMap((mark, index) => (mark.kind === 'started' ? [[mark.command, marks[index + 1]]] : []));
    expect(commands).toEqual([
      ['echo marked-$((6*7))', { kind: 'finished', exitCode: 0 }],
      ['ls /no/such/folder', { kind: 'finished', exitCode: 2 }],
      ['echo "two words" | wc -w', { kind: 'finished', exitCode: 0 }],
    ]);
    expect(seen.toString()).toContain('marked-42');
    expect(seen.includes('\x1b]6973;')).toBe(false);
  });
});
