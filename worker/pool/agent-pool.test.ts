// The pool's own storage, in workerd: a pool kept from before agents reported boots and problems.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
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

describe('the line of learners', () => {
  const pool = () => env.POOL.get(env.POOL.idFromName('pool'));
  const queued = () => runInDurableObject(pool(), (_pool, state) => state.storage.sql.exec<{ session_id: string }>('SELECT session_id FROM queue ORDER BY seq').toArray().map((row) => row.session_id));

  it('keeps places whose pages stopped asking through other reserve() calls, and drops them in its alarm', async () => {
    const now = Date.now();
    expect(await pool().reserve('left', 2, null, now - 31_000)).toMatchObject({ kind: 'queued', position: 1 });
    // The place left holds nobody up, though only the alarm removes it.
    expect(await pool().reserve('waiting', 2, null, now)).toMatchObject({ kind: 'queued', position: 1 });
    expect(await queued()).toEqual(['left', 'waiting']); // reserve() sweeps nothing
    expect(await runInDurableObject(pool(), (_pool, state) => state.storage.getAlarm())).not.toBeNull();

    expect(await runDurableObjectAlarm(pool())).toBe(true);
    expect(await queued()).toEqual(['waiting']);
    // It wakes again for the place still in line.
    expect(await runInDurableObject(pool(), (_pool, state) => state.storage.getAlarm())).toBeGreaterThan(now);
    expect(await pool().reserve('waiting', 2)).toMatchObject({ kind: 'queued', position: 1 });
  });

  it('tells which sessions still hold a place in line', async () => {
    const now = Date.now();
    await pool().reserve('left', 2, null, now - 31_000);
    await pool().reserve('waiting', 2, null, now);
    expect(await pool().waiting(['left', 'waiting', 'never'], now)).toEqual(['waiting']);
    expect(await pool().waiting([], now)).toEqual([]);
  });
});
