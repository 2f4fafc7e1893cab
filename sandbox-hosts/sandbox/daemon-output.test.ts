// Reading a learner's daemon's output: API calls out of its debug log, a bounded tail, and whatever
// a hostile daemon (or a learner writing into its output) can print.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { apiCallOf, DaemonOutput, keptTailBytes, maxDaemonLineBytes, type DaemonAPICall } from './daemon-output.ts';

const calling = (method: string, path: string) => `time="2026-11-30T15:04:05.123456789Z" level=debug msg="Calling ${method} ${path}"\n`;

function output() {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const daemon = new DaemonOutput([stdout, stderr]);
  const calls: DaemonAPICall[] = [];
  daemon.onAPICall((call) => calls.push(call));
  return { stdout, stderr, daemon, calls };
}

const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('a daemon\'s output', () => {
  it('reads the API calls the daemon logs at debug level, with their time, and nothing else as one', () => {
    expect(apiCallOf(calling('GET', '/v1.41/version').trim())).toEqual({ method: 'GET', path: '/v1.41/version', time: Date.parse('2026-11-30T15:04:05.123Z') });
    expect(apiCallOf('time="x" level=info msg="Calling GET /version"')).toBeUndefined();
    expect(apiCallOf('time="x" level=debug msg="form data: {\\"Image\\":\\"postgres\\"}"')).toBeUndefined();
    expect(apiCallOf('time="not a time" level=debug msg="Calling POST /containers/create"', 42)).toEqual({ method: 'POST', path: '/containers/create', time: 42 });
    expect(apiCallOf(`time="x" level=debug msg="Calling GET /${'a'.repeat(2000)}"`, 0)?.path).toHaveLength(512);
  });

  it('hears calls from both streams, split across chunks, and keeps the other lines for a failure message', async () => {
    const { stdout, stderr, daemon, calls } = output();
    const line = calling('POST', '/v1.41/containers/create');
    stdout.write(line.slice(0, 20));
    stdout.write(line.slice(20));
    stderr.write('time="2026-11-30T15:04:06Z" level=info msg="Daemon has completed initialization"\n');
    stderr.write(calling('GET', '/v1.41/containers/json'));
    await flushed();
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /v1.41/containers/create', 'GET /v1.41/containers/json']);
    expect(daemon.tail(5)).toBe('time="2026-11-30T15:04:06Z" level=info msg="Daemon has completed initialization"');
  });

  it('holds a bounded tail however much is printed, and skips a line past the limit', async () => {
    const { stdout, daemon, calls } = output();
    for (let i = 0; i < 5_000; i++) stdout.write(`line ${i} ${'x'.repeat(100)}\n`);
    stdout.write(`${'y'.repeat(maxDaemonLineBytes + 10)}\n`);
    stdout.write(calling('GET', '/version'));
    await flushed();
    const tail = daemon.tail(10_000);
    expect(tail.length).toBeLessThanOrEqual(keptTailBytes + 200);
    expect(tail).toContain('line 4999');
    expect(tail).not.toContain('line 0 ');
    expect(daemon.tail(1)).toBe('[a line longer than 16 KiB was skipped]');
    expect(calls).toHaveLength(1);
  });
});
