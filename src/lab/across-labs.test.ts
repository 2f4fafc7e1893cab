import { describe, expect, it } from 'vitest';
import { labs } from '../labs/index.ts';
import { tallyLabs } from './across-labs';

const registries = labs.get('registries')!;
/** Every lab of the catalog, in its order, with `done` steps each (none unless given). */
const everyLab = (done: Record<string, number> = {}) => [...labs.values()].map((lab) => ({ lab: lab.id, done: done[lab.id] ?? 0, total: lab.steps.length }));

describe('progress across labs', () => {
  it('gives every lab of the catalog, in its order, with its number of steps', () => {
    const tally = tallyLabs(labs.values(), {});
    expect(tally).toEqual(everyLab());
    expect(tally.map((entry) => entry.lab)).toEqual(['arquitetura', 'client', 'daemon', 'host', 'registries', 'fluxo', 'por-que']);
  });

  it('counts the steps the control plane keeps, and not steps a lab no longer has', () => {
    const tally = tallyLabs(labs.values(), { arquitetura: [{ step: 'client-e-daemon' }, { step: 'pull-postgres' }, { step: 'removed-step' }], outro: [{ step: 'x' }] });
    expect(tally).toEqual(everyLab({ arquitetura: 2 }));
  });

  it("adds the page's own lab's live passes, once each", () => {
    const tally = tallyLabs(labs.values(), { registries: [{ step: 'pull-do-hub' }] }, { lab: 'registries', steps: ['pull-do-hub', 'registry-proprio'] });
    expect(tally.find((entry) => entry.lab === 'registries')).toEqual({ lab: 'registries', done: 2, total: registries.steps.length });
    expect(tally.filter((entry) => entry.lab !== 'registries').every((entry) => entry.done === 0)).toBe(true);
  });
});
