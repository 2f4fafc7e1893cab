import { describe, expect, it } from 'vitest';
import { newKeyPair } from '../../protocol/keys.ts';
import { agentConfigSchema, agentKeyOf, sessionLimitsOf } from './config.ts';

const agentKeys = await newKeyPair();
const controlPlaneKeys = await newKeyPair();
const keys = { DOCA_AGENT_KEY: JSON.stringify(agentKeys.privateKey), DOCA_CONTROL_PLANE_KEY: JSON.stringify(controlPlaneKeys.publicKey) };

describe('agent configuration', () => {
  it('has defaults for everything but the keys', () => {
    const config = agentConfigSchema.parse(keys);
    expect(config).toMatchObject({ DOCA_AGENT_ID: 'local', DOCA_AGENT_PORT: 7070, DOCA_AGENT_CAPACITY: 12, DOCA_WARM_POOL: { 1: 1, 2: 2 } });
    expect(config.DOCA_CONTROL_PLANE_KEY).toEqual(controlPlaneKeys.publicKey);
    expect(agentKeyOf(config)).toEqual(agentKeys.privateKey);
    expect(sessionLimitsOf(config)).toEqual({ timeLimitMs: 7_200_000, idleLimitMs: 1_800_000, extensionMs: 1_800_000 });
  });

  it('reads durations and warm-pool sizes', () => {
    const config = agentConfigSchema.parse({ ...keys, DOCA_SESSION_TIME_LIMIT: '90m', DOCA_SESSION_IDLE_LIMIT: '45s', DOCA_WARM_POOL: '1:3,3:1' });
    expect(config.DOCA_WARM_POOL).toEqual({ 1: 3, 3: 1 });
    expect(sessionLimitsOf(config)).toMatchObject({ timeLimitMs: 5_400_000, idleLimitMs: 45_000 });
    expect(agentConfigSchema.parse({ ...keys, DOCA_WARM_POOL: '' }).DOCA_WARM_POOL).toEqual({});
  });

  it.each([
    ['no control-plane key', { DOCA_AGENT_KEY: keys.DOCA_AGENT_KEY }, 'DOCA_CONTROL_PLANE_KEY'],
    ['a control-plane key that is not JSON', { ...keys, DOCA_CONTROL_PLANE_KEY: 'secret' }, 'DOCA_CONTROL_PLANE_KEY'],
    ['a control-plane key that is an HMAC secret', { ...keys, DOCA_CONTROL_PLANE_KEY: JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }) }, 'DOCA_CONTROL_PLANE_KEY'],
    ['a control-plane key with its private part', { ...keys, DOCA_CONTROL_PLANE_KEY: JSON.stringify(controlPlaneKeys.privateKey) }, 'DOCA_CONTROL_PLANE_KEY'],
    ['an agent URL in plain http off loopback', { ...keys, DOCA_AGENT_URL: 'http://10.0.0.2:7070' }, 'DOCA_AGENT_URL'],
    ['a duration without unit', { ...keys, DOCA_SESSION_TIME_LIMIT: '120' }, 'DOCA_SESSION_TIME_LIMIT'],
    ['a warm pool of four-host sessions', { ...keys, DOCA_WARM_POOL: '4:1' }, 'DOCA_WARM_POOL'],
    ['a port out of range', { ...keys, DOCA_AGENT_PORT: '70000' }, 'DOCA_AGENT_PORT'],
  ])('rejects %s, naming the setting', (_, env, setting) => {
    const result = agentConfigSchema.safeParse(env);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(setting);
  });

  it('takes an https agent URL, or http on loopback', () => {
    expect(agentConfigSchema.parse({ ...keys, DOCA_AGENT_URL: 'https://agent1.example.org' }).DOCA_AGENT_URL).toBe('https://agent1.example.org');
    expect(agentConfigSchema.parse({ ...keys, DOCA_AGENT_URL: 'http://127.0.0.1:7070' }).DOCA_AGENT_URL).toBe('http://127.0.0.1:7070');
  });

  describe("the agent's private key", () => {
    const config = (env: Record<string, string>) => agentConfigSchema.parse({ DOCA_CONTROL_PLANE_KEY: keys.DOCA_CONTROL_PLANE_KEY, ...env });

    it('is read from DOCA_AGENT_KEY_FILE', () => {
      const files: Record<string, string> = { '/etc/doca/agent-key.json': `${keys.DOCA_AGENT_KEY}\n` };
      expect(agentKeyOf(config({ DOCA_AGENT_KEY_FILE: '/etc/doca/agent-key.json' }), (path) => files[path])).toEqual(agentKeys.privateKey);
    });

    it.each([
      ['missing', {}, /Set DOCA_AGENT_KEY/],
      ['given twice', { DOCA_AGENT_KEY: keys.DOCA_AGENT_KEY, DOCA_AGENT_KEY_FILE: '/k' }, /not both/],
      ['only a public key', { DOCA_AGENT_KEY: JSON.stringify(agentKeys.publicKey) }, /DOCA_AGENT_KEY.*d/s],
      ['not JSON', { DOCA_AGENT_KEY: 'x'.repeat(40) }, /DOCA_AGENT_KEY is not JSON/],
    ])('is refused when %s, naming the setting', (_, env, message) => {
      expect(() => agentKeyOf(config(env))).toThrow(message);
    });
  });
});
