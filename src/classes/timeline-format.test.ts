import { describe, expect, it } from 'vitest';
import { classTimelineSchema } from '../../protocol/classes.ts';
import { classSteps } from './class-steps';
import { timelineLines } from './timeline-format';
import { t } from './test-fixtures';

const { events } = classTimelineSchema.parse({
  events: [
    { at: '2026-12-05T14:00:00.000Z', kind: 'help', requested: true },
    { at: '2026-12-05T14:01:00.000Z', kind: 'reached', lab: 'arquitetura', step: 'run-postgres' },
    { at: '2026-12-05T14:02:03.000Z', kind: 'command', command: 'docker run -p 8080:5432 postgres', host: 'host1', exitCode: 0 },
    { at: '2026-12-05T14:02:04.000Z', kind: 'failed', lab: 'arquitetura', step: 'run-postgres', reason: { code: 'port-closed', values: { host: 'host1', port: '5433' } } },
    { at: '2026-12-05T14:05:00.000Z', kind: 'passed', lab: 'arquitetura', step: 'run-postgres' },
    { at: '2026-12-05T14:06:00.000Z', kind: 'help', requested: false },
  ],
});

describe('a learner’s timeline', () => {
  it('reads in Portuguese, with the step by its number and title and the reason worded', () => {
    const steps = classSteps(['arquitetura'], 'pt-BR');
    const lines = timelineLines(events, steps, 'pt-BR', t['pt-BR'], 'UTC');
    expect(lines.map((line) => line.time)).toEqual(['14:00:00', '14:01:00', '14:02:03', '14:02:04', '14:05:00', '14:06:00']);
    expect(lines[0].text).toBe('pediu ajuda');
    expect(lines[1].text).toBe(`chegou ao passo 3. ${steps[2].title}`);
    expect(lines[2].text).toBe('rodou `docker run -p 8080:5432 postgres` no host1 (código 0)');
    expect(lines[3].text).toBe(`a verificação do passo 3. ${steps[2].title} falhou: Nada responde na porta 5433 do host1.`);
    expect(lines[5].text).toBe('parou de pedir ajuda');
  });

  it('reads in English', () => {
    const steps = classSteps(['arquitetura'], 'en');
    const lines = timelineLines(events, steps, 'en', t.en, 'UTC');
    expect(lines[2].text).toBe('ran `docker run -p 8080:5432 postgres` on host1 (exit status 0)');
    expect(lines[4].text).toBe(`passed step 3. ${steps[2].title}`);
  });

  it('keeps a backtick in a command from closing its code span', () => {
    const [line] = timelineLines([{ at: '2026-12-05T14:00:00.000Z', kind: 'command', command: 'echo `id`', host: 'host2', exitCode: 1 }], [], 'en', t.en, 'UTC');
    expect(line.text).toBe("ran `echo 'id'` on host2 (exit status 1)");
  });
});
