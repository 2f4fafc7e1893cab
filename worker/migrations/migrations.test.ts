// The numbered migrations run over a database that already holds learners, sessions and progress,
// as they do on a deployed control plane: every row stays, and what points at a session still does.
import { applyD1Migrations, reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('D1 migrations', () => {
  it('keep existing sessions and the progress pointing at them, and let sessions end failed', async () => {
    await reset();
    const [first, ...rest] = env.TEST_MIGRATIONS;
    await applyD1Migrations(env.DB, [first]);
    await env.DB.batch([
      env.DB.prepare("INSERT INTO learners (id, created_at) VALUES ('l1', '2026-12-01T10:00:00Z')"),
      env.DB.prepare(
        "INSERT INTO lab_sessions (id, learner_id, lab, host_count, state, agent_id, agent_session_id, hosts, created_at, ended_reason) VALUES ('s1', 'l1', 'arquitetura', 2, 'ended', 'a1', 'x', '[]', '2026-12-01T10:00:00Z', 'lost')",
      ),
      env.DB.prepare("INSERT INTO progress (learner_id, lab, step, completed_at, session_id) VALUES ('l1', 'arquitetura', 'pull', '2026-12-01T10:05:00Z', 's1')"),
    ]);

    await applyD1Migrations(env.DB, rest);

    expect(await env.DB.prepare('SELECT id, state, ended_reason, agent_boot_id FROM lab_sessions').all().then((r) => r.results)).toEqual([
      { id: 's1', state: 'ended', ended_reason: 'lost', agent_boot_id: null },
    ]);
    // Steps passed before attempts and hints were counted read as none of either.
    expect(await env.DB.prepare('SELECT step, failures, hints_used FROM progress').all().then((r) => r.results)).toEqual([{ step: 'pull', failures: 0, hints_used: 0 }]);
    expect((await env.DB.prepare('PRAGMA foreign_key_check').all()).results).toEqual([]);
    await env.DB.prepare("UPDATE lab_sessions SET ended_reason = 'failed' WHERE id = 's1'").run();
    await expect(env.DB.prepare("UPDATE lab_sessions SET ended_reason = 'vanished' WHERE id = 's1'").run()).rejects.toThrow(/CHECK/);
    await expect(env.DB.prepare("INSERT INTO progress (learner_id, lab, step, completed_at, session_id) VALUES ('l1', 'arquitetura', 'run', 'now', 'nope')").run()).rejects.toThrow(
      /FOREIGN KEY/,
    );
  });
});
