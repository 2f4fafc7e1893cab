import { describe, expect, it } from 'vitest';
import { defineLab, labCatalog } from './lab-definition.ts';
import { labs } from './index.ts';

const valid = {
  id: 'exemplo',
  lesson: 'arquitetura/fluxo',
  title: { 'pt-BR': 'Exemplo', en: 'Example' },
  hosts: 1,
  steps: [
    {
      id: 'um',
      title: { 'pt-BR': 'Um', en: 'One' },
      check: [{ kind: 'pulled' as const, host: 'host1' as const, image: 'busybox' }],
      solution: [{ host: 'host1' as const, run: 'docker pull busybox' }],
    },
  ],
};
const [validStep] = valid.steps;

describe('lab definitions', () => {
  it('every lab in the catalog names an existing number of hosts and both titles', () => {
    expect(labs.size).toBeGreaterThan(0);
    for (const lab of labs.values()) {
      expect(lab.hosts).toBeGreaterThanOrEqual(1);
      expect(lab.title['pt-BR'] && lab.title.en).toBeTruthy();
    }
  });

  it('rejects a definition without its English title, naming the file, the field and the fix', () => {
    expect(() => defineLab('src/labs/exemplo/lab.ts', { ...valid, title: { 'pt-BR': 'Exemplo', en: ' ' } })).toThrow(
      /src\/labs\/exemplo\/lab\.ts[\s\S]*title\.en: the English text is missing[\s\S]*Fix/,
    );
  });

  it('rejects four hosts and an unknown field', () => {
    expect(() => defineLab('x.ts', { ...valid, hosts: 4 })).toThrow(/hosts/);
    expect(() => defineLab('x.ts', { ...valid, privileged: true } as never)).toThrow(/privileged/);
  });

  it('rejects a step without its Portuguese title and two steps with one id', () => {
    const step = { ...validStep, title: { 'pt-BR': '', en: 'One' } };
    expect(() => defineLab('x.ts', { ...valid, steps: [step] })).toThrow(/steps\.0\.title\.pt-BR: the Portuguese text is missing/);
    expect(() => defineLab('x.ts', { ...valid, steps: [valid.steps[0], valid.steps[0]] })).toThrow(/two steps have the same id/);
    expect(() => defineLab('x.ts', { ...valid, steps: [] })).toThrow(/at least one step/);
  });

  it('rejects a step without a check or a solution, saying what to write', () => {
    const { check: _check, solution: _solution, ...bare } = validStep;
    expect(() => defineLab('x.ts', { ...valid, steps: [bare as never] })).toThrow(/steps\.0\.check: a list of conditions[\s\S]*steps\.0\.solution: the commands that pass the step/);
  });

  it('rejects a host beyond the lab\'s hosts, wherever it is named', () => {
    const onHost2 = { ...validStep, check: [{ kind: 'pulled' as const, host: 'host2' as const, image: 'busybox' }] };
    expect(() => defineLab('x.ts', { ...valid, steps: [onHost2] })).toThrow(/steps\.0\.check\.0\.host: the lab has 1 host\(s\): use host1…host1, or raise hosts/);
    expect(() => defineLab('x.ts', { ...valid, hosts: 2, steps: [onHost2] })).not.toThrow();
  });

  it('rejects a wrong attempt whose step cannot fail that way, and a diagnosis that takes a built-in code', () => {
    const attempt = { id: 'errado', step: 'um', reason: 'port-closed', script: [{ host: 'host1' as const, run: 'true' }] };
    expect(() => defineLab('x.ts', { ...valid, wrongAttempts: [attempt] })).toThrow(/wrongAttempts\.0\.reason: step "um" cannot fail with "port-closed": its reasons are not-pulled/);
    expect(() => defineLab('x.ts', { ...valid, wrongAttempts: [{ ...attempt, step: 'dois' }] })).toThrow(/wrongAttempts\.0\.step: no step "dois": use one of um/);
    const diagnosis = { reason: 'not-pulled', when: validStep.check[0], message: { 'pt-BR': 'x', en: 'x' } };
    expect(() => defineLab('x.ts', { ...valid, steps: [{ ...validStep, diagnoses: [diagnosis] }] })).toThrow(/diagnoses\.0\.reason: this code is a built-in reason/);
    expect(() => defineLab('x.ts', { ...valid, steps: [{ ...validStep, diagnoses: [{ ...diagnosis, reason: 'puxou-outra' }] }], wrongAttempts: [{ ...attempt, reason: 'puxou-outra' }] })).not.toThrow();
  });

  it('rejects a condition it does not know and a pattern that does not compile', () => {
    expect(() => defineLab('x.ts', { ...valid, steps: [{ ...validStep, check: [{ kind: 'guessed', host: 'host1' } as never] }] })).toThrow(/steps\.0\.check\.0/);
    const command = { kind: 'command' as const, host: 'host1' as const, command: 'docker (version', example: 'docker version' };
    expect(() => defineLab('x.ts', { ...valid, steps: [{ ...validStep, check: [command] }] })).toThrow(/steps\.0\.check\.0\.command: a valid regular expression/);
  });

  it('rejects two labs with one id', () => {
    const lab = defineLab('x.ts', valid);
    expect(() => labCatalog([lab, lab])).toThrow(/Two labs have the id "exemplo"/);
  });
});

describe('the lab catalog', () => {
  it('places every lab beside a lesson that exists in both languages', async () => {
    const { existsSync } = await import('node:fs');
    for (const lab of labs.values()) {
      expect(existsSync(`src/content/docs/${lab.lesson}.mdx`), `${lab.id}: pt-BR lesson`).toBe(true);
      expect(existsSync(`src/content/docs/en/${lab.lesson}.mdx`), `${lab.id}: en lesson`).toBe(true);
    }
  });

  it('gives every architecture lesson one lab of its own', async () => {
    const { readdirSync } = await import('node:fs');
    const lessons = readdirSync('src/content/docs/arquitetura').map((file) => `arquitetura/${file.replace(/\.mdx$/, '')}`);
    const lessonsWithLabs = [...labs.values()].map((lab) => lab.lesson);
    expect(lessonsWithLabs.toSorted()).toEqual(lessons.toSorted());
  });
});
