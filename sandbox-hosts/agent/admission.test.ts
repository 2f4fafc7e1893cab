import { describe, expect, it } from 'vitest';
import { Admission } from './admission.ts';

/** A start that finishes when the test says so. */
function controlledStart(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish,
    start: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('admission of cold starts', () => {
  it('runs at most `limit` at once and the rest in the order asked', async () => {
    const admission = new Admission(2);
    const log: string[] = [];
    const starts = ['a', 'b', 'c', 'd'].map((name) => controlledStart(log, name));
    const results = starts.map((s) => admission.run('learner', s.start));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    expect([admission.running, admission.waiting]).toEqual([2, 2]);
    starts[1].finish();
    await tick();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    starts[0].finish();
    starts[2].finish();
    starts[3].finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([admission.running, admission.waiting]).toEqual([0, 0]);
  });

  it('admits waiting learners before the warm pool, whoever asked first', async () => {
    const admission = new Admission(1);
    const log: string[] = [];
    const first = controlledStart(log, 'first');
    const warm = controlledStart(log, 'warm');
    const learner = controlledStart(log, 'learner');
    const all = [admission.run('learner', first.start), admission.run('warm', warm.start), admission.run('learner', learner.start)];
    await tick();
    first.finish();
    learner.finish();
    warm.finish();
    await Promise.all(all);
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start first', 'start learner', 'start warm']);
  });

  it('passes the turn on when a start fails', async () => {
    const admission = new Admission(1);
    const failing = admission.run('learner', async () => {
      throw new Error('daemon did not start');
    });
    const next = admission.run('learner', async () => 'ran');
    await expect(failing).rejects.toThrow('daemon did not start');
    expect(await next).toBe('ran');
    expect(admission.running).toBe(0);
  });

  it('refuses a limit that is not a whole positive number', () => {
    expect(() => new Admission(0)).toThrow(RangeError);
    expect(() => new Admission(1.5)).toThrow(RangeError);
  });
});
