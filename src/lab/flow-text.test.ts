// A command's path in words, in both languages, with the lesson's step numbers on a run.
import { describe, expect, it } from 'vitest';
import type { CommandFlow } from '../../protocol/flow.ts';
import en from '../content/i18n/en.json' with { type: 'json' };
import ptBR from '../content/i18n/pt-BR.json' with { type: 'json' };
import { flowLines } from './flow-text';
import { formatter, type LabStrings } from './lab-strings';

const run: CommandFlow = {
  id: 1,
  host: 'host1',
  command: 'docker run -p 5433:5432 postgres',
  startedAt: 0,
  dropped: 0,
  entries: [
    { kind: 'command', host: 'host1', command: 'docker run -p 5433:5432 postgres' },
    { kind: 'request', host: 'host1', method: 'HEAD', path: '/_ping' },
    { kind: 'request', host: 'host1', method: 'POST', path: '/v1.41/containers/create' },
    { kind: 'image-missing', host: 'host1', image: 'postgres:latest' },
    { kind: 'request', host: 'host1', method: 'POST', path: '/v1.41/images/create?fromImage=postgres&tag=latest' },
    { kind: 'pull', host: 'host1', registry: 'docker.io', image: 'postgres:latest' },
    { kind: 'request', host: 'host1', method: 'POST', path: '/v1.41/containers/create' },
    { kind: 'container', host: 'host1', action: 'create', name: 'banco', image: 'postgres' },
    { kind: 'request', host: 'host1', method: 'POST', path: `/v1.41/containers/${'a1b2c3d4e5f6'.repeat(5)}abcd/attach?stream=1` },
    { kind: 'port', host: 'host1', name: 'banco', hostPort: 5433, containerPort: 5432 },
    { kind: 'container', host: 'host1', action: 'start', name: 'banco', image: 'postgres' },
    { kind: 'logs', host: 'host1', name: 'banco' },
  ],
};

describe('flow text', () => {
  for (const [locale, strings] of [['pt-BR', ptBR], ['en', en]] as const) {
    it(`words every entry in ${locale}, and numbers a run's entries with the lesson's seven steps in order`, () => {
      const lines = flowLines(run, formatter(strings as LabStrings));
      for (const line of lines) expect(line.text, line.text).not.toMatch(/\{\{|undefined/);
      expect(lines.flatMap((line) => line.lessonStep ?? [])).toEqual([1, 2, 3, 3, 4, 5, 6, 7]);
      expect(lines.map((line) => line.actor)).toEqual(['client', 'client', 'client', 'daemon', 'client', 'registry', 'client', 'daemon', 'client', 'daemon', 'daemon', 'client']);
      expect(lines[5].text).toContain('Docker Hub');
      expect(lines[9].text).toMatch(/5433.*5432/);
      expect(lines[8].text).toContain('POST /v1.41/containers/a1b2c3d4e5f6/attach?stream=1');
    });
  }

  it('gives a command that made no container no lesson numbers', () => {
    const t = formatter(en as LabStrings);
    const push: CommandFlow = { ...run, command: 'docker push localhost:5000/x:1', entries: [{ kind: 'command', host: 'host1', command: 'docker push localhost:5000/x:1' }, { kind: 'push', host: 'host1', registry: 'localhost:5000', image: 'localhost:5000/x:1' }, { kind: 'result', host: 'host1', exitCode: 0 }] };
    const lines = flowLines(push, t);
    expect(lines.map((line) => line.lessonStep)).toEqual([undefined, undefined, undefined]);
    expect(lines[1].text).toBe("host1's daemon pushes localhost:5000/x:1 to the registry localhost:5000");
  });
});
