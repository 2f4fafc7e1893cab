// The recording format: validated when read (naming the file and the fix), written with stable key
// order, and graded at each moment from the record as it stood then.
import { describe, expect, it } from 'vitest';
import registries from '../registries/lab.ts';
import { gradeMoment, parseRecording, recordAt, recordingJSON, scenarioFile, type Recording } from './recording.ts';

const pushed: Recording = {
  format: 1,
  lab: 'registries',
  steps: registries.steps.map((step) => step.id),
  scenario: { kind: 'solution' },
  record: {
    facts: [
      { kind: 'pulled', host: 'host1', image: 'busybox:latest' },
      { kind: 'pushed', host: 'host1', image: 'localhost:5000/minhaimagem:1.0' },
    ],
    apiCalls: [{ host: 'host1', method: 'POST', path: '/v1.41/images/create?fromImage=busybox&tag=latest' }],
    commands: [],
    daemonRestarts: [],
  },
  moments: [
    { ran: [{ host: 'host1', run: 'docker pull busybox' }], seen: { facts: 1, apiCalls: 1, commands: 0, daemonRestarts: 0 }, state: [] },
    {
      ran: [{ host: 'host1', run: 'docker push localhost:5000/minhaimagem:1.0' }],
      seen: { facts: 2, apiCalls: 1, commands: 0, daemonRestarts: 0 },
      state: [
        { read: 'containers', host: 'host1', answer: [{ name: 'registry', image: 'registry', running: true, status: 'Up 9 seconds', ports: [{ hostPort: 5000, containerPort: 5000 }] }] },
        { read: 'registry-tags', host: 'host1', port: 5000, repository: 'minhaimagem', answer: ['1.0'] },
        { read: 'images', host: 'host1', answer: ['busybox:latest', 'localhost:5000/minhaimagem:1.0'] },
      ],
    },
  ],
};

describe('recordings', () => {
  it('are written with sorted keys, the same each time, and read back as they were', () => {
    const text = recordingJSON(pushed);
    const reordered = { moments: pushed.moments, steps: pushed.steps, scenario: pushed.scenario, record: pushed.record, lab: pushed.lab, format: pushed.format } as Recording;
    expect(recordingJSON(reordered)).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual(['format', 'lab', 'moments', 'record', 'scenario', 'steps']);
    expect(text).toContain('\n  "format": 1,\n');
    // A fact fits on a line; the recording as a whole does not.
    expect(text).toContain('\n      { "host": "host1", "image": "busybox:latest", "kind": "pulled" },\n');
    expect(parseRecording(text, 'x.json')).toEqual(pushed);
  });

  it('that are not one, or of another format, fail naming the file, the field and the fix', () => {
    expect(() => parseRecording('{', 'src/labs/registries/recordings/fresh.json')).toThrow(/fresh\.json is not JSON .*npm run record:labs/);
    expect(() => parseRecording(JSON.stringify({ ...pushed, format: 0 }), 'src/labs/registries/recordings/solution.json')).toThrow(
      /solution\.json is not a recording of format 1:\n {2}format: .*\nRecord the lab again \(npm run record:labs\)/,
    );
    const unknownFact = { ...pushed, record: { ...pushed.record, facts: [{ kind: 'teleported', host: 'host1' }] } };
    expect(() => parseRecording(JSON.stringify(unknownFact), 'f.json')).toThrow(/record\.facts\.0/);
    const beyond = { ...pushed, moments: [{ ...pushed.moments[0], seen: { facts: 3, apiCalls: 0, commands: 0, daemonRestarts: 0 } }] };
    expect(() => parseRecording(JSON.stringify(beyond), 'f.json')).toThrow(/moments\.0\.seen\.facts: the record holds 2 facts/);
  });

  it('name their file after the scenario', () => {
    expect(scenarioFile({ kind: 'fresh' })).toBe('fresh.json');
    expect(scenarioFile({ kind: 'wrong-attempt', attempt: 'registry-na-porta-errada' })).toBe('wrong-attempt-registry-na-porta-errada.json');
  });

  it('grade each moment from the record as it stood then and the present as it was read then', async () => {
    expect(recordAt(pushed, pushed.moments[0]).facts).toEqual([pushed.record.facts[0]]);
    const first = await gradeMoment(registries.steps, pushed, pushed.moments[0]);
    expect(first.get('pull-do-hub')).toEqual({ status: 'passed' });
    // Nothing about the registry was read at the first moment: that step is not guessed.
    expect(first.get('registry-proprio')).toMatchObject({ status: 'unknown', detail: expect.stringContaining('containers of host1') });
    const second = await gradeMoment(registries.steps, pushed, pushed.moments[1]);
    expect(['pull-do-hub', 'registry-proprio', 'tag-e-push'].map((step) => second.get(step)?.status)).toEqual(['passed', 'passed', 'passed']);
    expect(second.get('baixar-de-volta')).toMatchObject({ status: 'failed', reason: { code: 'not-pulled' } });
  });
});
