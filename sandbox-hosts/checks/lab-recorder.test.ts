// The recorder in a real sandbox: a wrong attempt of the registries lab recorded, written and read
// back, re-grades offline as the live check graded it; the recording holds the answers to exactly the
// questions the lab's conditions ask (a failed read as its error), and none of its own reads as the
// learner's API calls.
import { afterAll, describe, expect, it } from 'vitest';
import { labs } from '../../src/labs/index.ts';
import { questionOf } from '../../src/labs/checks/recorded-state.ts';
import { gradeMoment, parseRecording, recordingJSON } from '../../src/labs/checks/recording.ts';
import { staleness } from '../../src/labs/lab-scenarios.ts';
import { LiveSessions } from '../agent/live-sessions.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { recordScenario } from './lab-recorder.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 3, labs, log: () => undefined });
afterAll(() => live.close());

describe('recording a lab session', () => {
  const lab = labs.get('registries')!;

  it('a wrong attempt, written and read back, re-grades as the live check graded it', async () => {
    const scenario = { kind: 'wrong-attempt', attempt: 'registry-na-porta-errada' } as const;
    const { recording, doubts } = await recordScenario(live, lab, scenario);
    expect(doubts).toEqual([]);
    const read = parseRecording(recordingJSON(recording), 'wrong-attempt-registry-na-porta-errada.json');
    expect(staleness(lab, scenario, read)).toBeUndefined();

    const results = await gradeMoment(lab.steps, read, read.moments[0]);
    expect(results.get('registry-proprio')).toMatchObject({ status: 'failed', reason: { code: 'port-not-published', values: { expected: '5000', seen: expect.stringContaining('5001→5000') } } });
    expect(results.get('pull-do-hub')).toEqual({ status: 'passed' });

    // The lab asks for host1's containers and images, and its registry's tags on port 5000, where nothing listens.
    const [moment] = read.moments;
    expect(moment.state.map(questionOf).sort()).toEqual(['containers of host1', 'images of host1', 'tags of minhaimagem in the registry at host1:5000']);
    expect(moment.state.find((answer) => answer.read === 'registry-tags')).toMatchObject({ error: expect.stringContaining('ECONNREFUSED') });
    expect(read.record.facts).toContainEqual({ kind: 'pulled', host: 'host1', image: 'busybox:latest' });
    // Typed into the terminal, the commands come back from the shell's hook with their exit status.
    expect(read.record.commands).toEqual([
      { host: 'host1', command: 'docker pull busybox', exitCode: 0 },
      { host: 'host1', command: 'docker run -d -p 5001:5000 --name registry registry', exitCode: 0 },
    ]);
    expect(read.record.apiCalls.some((call) => call.method === 'POST' && call.path.endsWith('/containers/create?name=registry'))).toBe(true);
    // The checks' and the recorder's own reads go under the agent's API version: never the learner's.
    expect(read.record.apiCalls.filter((call) => call.path.startsWith('/v1.24/'))).toEqual([]);
    expect(moment.seen).toEqual({ facts: read.record.facts.length, apiCalls: read.record.apiCalls.length, commands: read.record.commands.length, daemonRestarts: 0 });
  });

  it('a live check that never reaches the expected verdict is a doubt, and the session is recorded all the same', async () => {
    const strict = { ...lab, wrongAttempts: [{ ...lab.wrongAttempts[0], reason: 'no-container' }] };
    const { recording, doubts } = await recordScenario(live, strict, { kind: 'wrong-attempt', attempt: strict.wrongAttempts[0].id }, { verdictTimeoutMs: 2_000 });
    expect(doubts).toEqual([expect.stringMatching(/^lab registries, wrong-attempt registry-na-porta-errada: step registry-proprio should have failed with no-container but was failed with port-not-published after 2 s$/)]);
    expect(recording.moments[0].state.length).toBe(3);
    expect(live.list()).toEqual([]);
  });
});
