// Every lab, in real sandboxes through the real check engine: its solution, step by step, turns each
// step green by itself (no Check pressed) and again when run a second time; a fresh session passes
// no step; each wrong attempt leaves its step failing with its named reason. The checks' own reads
// never count as something the learner did.
import { afterAll, describe, expect, it } from 'vitest';
import { labs } from '../../src/labs/index.ts';
import type { LabDefinition } from '../../src/labs/lab-definition.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import type { LiveSession } from '../agent/live-session.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { typeCommands } from '../test-support/typed-commands.ts';
import type { StepProgress } from './lab-checks.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 6, labs, log: () => undefined });
afterAll(() => live.close());

async function labSession(lab: LabDefinition): Promise<LiveSession> {
  const outcome = await live.create(lab.hosts, lab.id);
  if (!outcome.ok) throw new Error(`no session: ${outcome.code} ${outcome.message}`);
  return outcome.value.session;
}

/** Types the commands as the learner does, in its host's terminal, whatever they exit with. */
const run = typeCommands;

/** Waits, without asking for a check, until the step's progress is as `wanted` says. */
async function stepBecomes(session: LiveSession, step: string, wanted: (progress: StepProgress) => boolean, timeoutMs = 30_000): Promise<StepProgress> {
  const checks = session.checks!;
  const current = () => checks.progress().find((progress) => progress.step === step)!;
  if (wanted(current())) return current();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`step ${step} is still ${JSON.stringify(current())} after ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = checks.subscribe(() => {
      if (!wanted(current())) return;
      clearTimeout(timer);
      stop();
      resolve(current());
    });
  });
}

for (const lab of labs.values()) {
  describe(`lab ${lab.id}`, () => {
    it('the solution turns each step green by itself, and runs again without undoing one', async () => {
      const session = await labSession(lab);
      const latencies: number[] = [];
      for (const step of lab.steps) {
        await run(session, step.solution);
        const finished = performance.now();
        expect(await stepBecomes(session, step.id, (progress) => progress.status === 'passed'), step.id).toMatchObject({ status: 'passed' });
        latencies.push(performance.now() - finished);
      }
      console.log(`${lab.id}: command finished → step passed, ms: ${latencies.map((ms) => ms.toFixed(0)).join(', ')}`);
      for (const step of lab.steps) await run(session, step.solution);
      const progress = await session.checks!.checkNow();
      expect(progress.map((p) => p.status)).toEqual(lab.steps.map(() => 'passed'));
      for (const p of progress) if (p.stillTrue !== undefined) expect(p.stillTrue, p.step).toBe(true);
      // The checks listed containers and images on every host: none of it is the learner's.
      expect(session.checks!.record.apiCalls.filter((call) => call.path.startsWith('/v1.24/'))).toEqual([]);
      expect(session.checks!.record.apiCalls.length).toBeGreaterThan(0);
      await live.delete(session.id);
    });

    it('a fresh session passes no step, and says why for each', async () => {
      const session = await labSession(lab);
      const progress = await session.checks!.checkNow();
      for (const p of progress) expect(p, p.step).toMatchObject({ status: 'failed', reason: { code: expect.any(String) } });
      await live.delete(session.id);
    });

    for (const attempt of lab.wrongAttempts) {
      it(`wrong attempt "${attempt.id}" leaves step ${attempt.step} failing with "${attempt.reason}"`, async () => {
        const session = await labSession(lab);
        // The steps before it, done right.
        for (const step of lab.steps.slice(0, lab.steps.findIndex((s) => s.id === attempt.step))) await run(session, step.solution);
        await run(session, attempt.script);
        const progress = await stepBecomes(session, attempt.step, (p) => p.reason?.code === attempt.reason);
        expect(progress.status).toBe('failed');
        await live.delete(session.id);
      });
    }
  });
}
