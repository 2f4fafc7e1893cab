// The agent's last resort, in a process of its own: what a leaked rejection and an uncaught exception do.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashExitCode } from './last-resort.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doca-last-resort-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `body` in a Node process that installed the last resort; its log lines come back parsed. */
async function runAgentLike(name: string, body: string, shutdown = 'async () => console.log(JSON.stringify({ event: "shutdown" }))') {
  const file = join(dir, `${name}.ts`);
  await writeFile(
    file,
    `import { installLastResort } from ${JSON.stringify(join(import.meta.dirname, 'last-resort.ts'))};
installLastResort({ log: (event) => console.log(JSON.stringify(event)), shutdown: ${shutdown}, shutdownDeadlineMs: 500 });
${body}`,
  );
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code: result.status, events: lines.map((line) => line.event), lines, stderr: result.stderr };
}

describe('the last resort', () => {
  it('logs a rejection nobody handled and keeps serving', async () => {
    const run = await runAgentLike('rejection', `void Promise.reject(new Error('leaked'));
setTimeout(() => console.log(JSON.stringify({ event: 'still.serving' })), 100);`);
    expect(run.events).toEqual(['agent.unhandled_rejection', 'still.serving']);
    expect(run.lines[0].error).toMatch(/leaked/);
    expect(run.code).toBe(0);
  });

  it('logs an exception thrown out of a callback, stops the orderly way and exits non-zero', async () => {
    const run = await runAgentLike('exception', `setTimeout(() => { throw new Error('broken callback'); }, 10);
setInterval(() => undefined, 1_000);`);
    expect(run.events).toEqual(['agent.crashed', 'shutdown']);
    expect(run.lines[0]).toMatchObject({ origin: 'uncaughtException' });
    expect(run.lines[0].error).toMatch(/broken callback/);
    expect(run.code).toBe(crashExitCode);
  });

  it('exits at the deadline when the shutdown hangs', async () => {
    const started = Date.now();
    const run = await runAgentLike('hang', `setTimeout(() => { throw new Error('broken'); }, 10);`, '() => new Promise(() => setInterval(() => undefined, 1_000))');
    expect(run.events).toEqual(['agent.crashed']);
    expect(run.code).toBe(crashExitCode);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
