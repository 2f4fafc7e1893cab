// The pool's own storage, in workerd: a pool kept from before agents reported boots and problems.
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AgentPool } from './agent-pool';

describe('AgentPool storage', () => {
  it('gains the boot and problem columns on a pool made before them, keeping its agents', async () => {
    await runInDurableObject(env.POOL.get(env.POOL.idFromName('pool')), (_pool, state) => {
      state.storage.sql.exec('DROP TABLE agents');
      state.storage.sql.exec(`CREATE TABLE agents (id TEXT PRIMARY KEY, url TEXT NOT NULL, capacity INTEGER NOT NULL,
        used INTEGER NOT NULL, warm INTEGER NOT NULL, last_seen INTEGER NOT NULL, failed_at INTEGER)`);
      state.storage.sql.exec("INSERT INTO agents VALUES ('old', 'http://agent-old.test', 4, 0, 0, ?, NULL)", Date.now());
      const pool = new AgentPool(state, env);
      expect(pool.agents()).toMatchObject([{ id: 'old', bootID: null, problem: null, reporting: true, available: true }]);
      expect(pool.heartbeat('old', { url: 'http://agent-old.test', bootID: 'old-boot-1', problem: null, sessions: [], capacity: 4, used: 0, warm: 0 })).toEqual({ restarted: false });
      expect(pool.agents()[0].bootID).toBe('old-boot-1');
    });
  });
});
