import { describe, expect, it } from 'vitest';
import { defineLab, labCatalog } from './lab-definition.ts';
import { labs } from './index.ts';

const valid = { id: 'exemplo', lesson: 'arquitetura/fluxo', title: { 'pt-BR': 'Exemplo', en: 'Example' }, hosts: 1 };

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
