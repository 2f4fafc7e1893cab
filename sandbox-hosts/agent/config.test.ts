import { describe, expect, it } from 'vitest';
import { agentConfigSchema, sessionLimitsOf } from './config.ts';

const secret = { DOCA_AGENT_SECRET: 'x'.repeat(32) };

describe('agent configuration', () => {
  it('has defaults for everything but the secret', () => {
    const config = agentConfigSchema.parse(secret);
    expect(config).toMatchObject({ DOCA_AGENT_ID: 'local', DOCA_AGENT_PORT: 7070, DOCA_AGENT_CAPACITY: 12, DOCA_WARM_POOL: { 1: 1, 2: 2 } });
    expect(sessionLimitsOf(config)).toEqual({ timeLimitMs: 7_200_000, idleLimitMs: 1_800_000, extensionMs: 1_800_000 });
  });

  it('reads durations and warm-pool sizes', () => {
    const config = agentConfigSchema.parse({ ...secret, DOCA_SESSION_TIME_LIMIT: '90m', DOCA_SESSION_IDLE_LIMIT: '45s', DOCA_WARM_POOL: '1:3,3:1' });
    expect(config.DOCA_WARM_POOL).toEqual({ 1: 3, 3: 1 });
    expect(sessionLimitsOf(config)).toMatchObject({ timeLimitMs: 5_400_000, idleLimitMs: 45_000 });
    expect(agentConfigSchema.parse({ ...secret, DOCA_WARM_POOL: '' }).DOCA_WARM_POOL).toEqual({});
  });

  it.each([
    ['a short secret', { DOCA_AGENT_SECRET: 'short' }, 'DOCA_AGENT_SECRET'],
    ['a duration without unit', { ...secret, DOCA_SESSION_TIME_LIMIT: '120' }, 'DOCA_SESSION_TIME_LIMIT'],
    ['a warm pool of four-host sessions', { ...secret, DOCA_WARM_POOL: '4:1' }, 'DOCA_WARM_POOL'],
    ['a port out of range', { ...secret, DOCA_AGENT_PORT: '70000' }, 'DOCA_AGENT_PORT'],
  ])('rejects %s, naming the setting', (_, env, setting) => {
    const result = agentConfigSchema.safeParse(env);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(setting);
  });
});
