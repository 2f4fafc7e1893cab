import { describe, expect, it } from 'vitest';
import { labs } from '../labs/index.ts';
import { tallyLabs } from './across-labs';

const arquitetura = labs.get('arquitetura')!;
const registries = labs.get('registries')!;

describe('progress across labs', () => {
  it('gives every lab of the catalog, in its order, with its number of steps', () => {
    expect(tallyLabs(labs.values(), {})).toEqual([
      { lab: 'arquitetura', done: 0, total: arquitetura.steps.length },
      { lab: 'registries', done: 0, total: registries.steps.length },
    ]);
  });

  it('counts the steps the control plane keeps, and not steps a lab no longer has', () => {
    const tally = tallyLabs(labs.values(), { arquitetura: [{ step: 'client-e-daemon' }, { step: 'pull-postgres' }, { step: 'removed-step' }], outro: [{ step: 'x' }] });
    expect(tally).toEqual([
      { lab: 'arquitetura', done: 2, total: arquitetura.steps.length },
      { lab: 'registries', done: 0, total: registries.steps.length },
    ]);
  });

  it("adds the page's own lab's live passes, once each", () => {
    const tally = tallyLabs(labs.values(), { registries: [{ step: 'pull-do-hub' }] }, { lab: 'registries', steps: ['pull-do-hub', 'registry-proprio'] });
    expect(tally[1]).toEqual({ lab: 'registries', done: 2, total: registries.steps.length });
    expect(tally[0].done).toBe(0);
  });
});
