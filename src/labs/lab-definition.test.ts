import { describe, expect, it } from 'vitest';
import { defineLab, labCatalog } from './lab-definition.ts';
import { labs } from './index.ts';

const valid = {
  id: 'exemplo',
  lesson: 'arquitetura/fluxo',
  title: { 'pt-BR': 'Exemplo', en: 'Example' },
  hosts: 1,
  steps: [{ id: 'um', title: { 'pt-BR': 'Um', en: 'One' } }],
};

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
    const step = { id: 'um', title: { 'pt-BR': '', en: 'One' } };
    expect(() => defineLab('x.ts', { ...valid, steps: [step] })).toThrow(/steps\.0\.title\.pt-BR: the Portuguese text is missing/);
    expect(() => defineLab('x.ts', { ...valid, steps: [valid.steps[0], valid.steps[0]] })).toThrow(/two steps have the same id/);
    expect(() => defineLab('x.ts', { ...valid, steps: [] })).toThrow(/at least one step/);
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
});

describe('the lab beside a lesson page', () => {
  it('is found from the route id in every language, and none beside other lessons', async () => {
    const { labForLesson } = await import('./lab-for-lesson.ts');
    expect(labForLesson('arquitetura/fluxo', ['en'])?.id).toBe('arquitetura');
    expect(labForLesson('en/arquitetura/fluxo', ['en'])?.id).toBe('arquitetura');
    expect(labForLesson('arquitetura/client', ['en'])).toBeUndefined();
  });
});
