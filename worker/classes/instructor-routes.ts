// The instructor's routes of a class (instructor-auth.ts checks the secret first): the grid and its
// push channel, a learner's timeline, actions (extend, end, delete), exports, and help mode.
import { Hono, type Context } from 'hono';
import { extendClassRequestSchema, type ClassEvent, type ClassHistory } from '../../protocol/classes.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { Locale } from '../../src/labs/checks/reasons.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { LabSessions } from '../sessions/lab-sessions';
import { exportCSV, exportRows } from './class-export';
import { classGrid, historyOf, timelineOf } from './class-grid';
import { endClass, eraseClass, extendClass } from './class-lifecycle';
import { ClassRecords, type MemberRow } from './class-records';
import { classRoomOf, watchHeaders } from './class-room';
import { summaryOf } from './class-state';
import { instructorOf } from './instructor-auth';

function requireUpgrade(c: Context<AppEnv>): void {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw new APIFailure('bad_request', 'This is a WebSocket endpoint: send Upgrade: websocket.');
}

async function memberOf(c: Context<AppEnv>): Promise<MemberRow> {
  const member = await new ClassRecords(c.env).member(c.get('class').id, c.req.param('learner') ?? '');
  if (!member) throw new APIFailure('not_found', 'This class has no such learner.');
  return member;
}

/** Big JSON (a class's grid) goes compressed to a client that takes gzip: the runtime compresses a body sent with Content-Encoding. */
function compressedJSON(c: Context<AppEnv>, body: unknown): Response {
  const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) } });
}

const exportName = (c: Context<AppEnv>, extension: string) => `attachment; filename="turma-${c.get('class').id}.${extension}"`;

export const instructorRoutes = new Hono<AppEnv>()
  .get('/:id', instructorOf, async (c) => compressedJSON(c, await classGrid(c.env, c.get('class'))))
  // The push channel: open it before loading the grid, so no change falls between the two.
  .get('/:id/live', instructorOf, (c) => {
    requireUpgrade(c);
    return classRoomOf(c.env, c.get('class').id).fetch(new Request('https://class-room/live', { headers: { upgrade: 'websocket' } }));
  })
  .get('/:id/learners/:learner/timeline', instructorOf, async (c) => {
    const member = await memberOf(c);
    return c.json({ events: (await timelineOf(c.env, member.class_id, member.member_id)) satisfies ClassEvent[] });
  })
  .post('/:id/extend', instructorOf, async (c) => {
    const { learner } = await jsonBody(c, extendClassRequestSchema, '{"learner": "<their id in the class>"} or {}');
    if (learner !== undefined && (await new ClassRecords(c.env).member(c.get('class').id, learner))?.left_at !== null) {
      throw new APIFailure('not_found', 'This class has no such learner now.');
    }
    return c.json({ extended: await extendClass(c.env, c.get('class'), learner) });
  })
  .post('/:id/end', instructorOf, async (c) => {
    const ended = await endClass(c.env, c.get('class'));
    await classRoomOf(c.env, ended.id).schedule(ended.id); // its retention starts now
    return c.json(summaryOf(ended));
  })
  .get('/:id/export.json', instructorOf, async (c) => {
    const rows = exportRows(await classGrid(c.env, c.get('class')));
    return c.json({ rows }, 200, { 'content-disposition': exportName(c, 'json') });
  })
  .get('/:id/export.csv', instructorOf, async (c) => {
    const locale: Locale = c.req.query('lang') === 'en' ? 'en' : 'pt-BR';
    const csv = exportCSV(exportRows(await classGrid(c.env, c.get('class'))), locale);
    return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': exportName(c, 'csv') });
  })
  .get('/:id/events.json', instructorOf, async (c) => {
    const events = await historyOf(c.env, c.get('class').id);
    return compressedJSON(c, { events } satisfies ClassHistory);
  })
  .delete('/:id', instructorOf, async (c) => {
    const id = c.get('class').id;
    await eraseClass(c.env, id);
    await classRoomOf(c.env, id).close();
    console.log(JSON.stringify({ event: 'class.deleted', class: id }));
    return c.body(null, 204);
  })
  // Help mode: the learner's terminal, read-only, only while they ask for help.
  .get('/:id/learners/:learner/hosts/:host/watch', instructorOf, async (c) => {
    requireUpgrade(c);
    const member = await memberOf(c);
    if (member.help_requested !== 1) throw new APIFailure('help_not_requested', "This learner isn't asking for help: their terminal opens to you once they do.");
    const host = c.req.param('host');
    const session = await c.env.DB.prepare(
      `SELECT id FROM lab_sessions WHERE learner_id = ? AND state = 'running' AND lab IN (SELECT value FROM json_each(?))
       AND EXISTS (SELECT 1 FROM json_each(hosts) WHERE value = ?) ORDER BY created_at DESC LIMIT 1`,
    )
      .bind(member.learner_id, c.get('class').labs, host)
      .first<{ id: string }>();
    if (!session) throw new APIFailure('host_not_found', `This learner has no running host "${host}" in this class's labs.`);
    const { agent, path } = await new LabSessions(c.env).hostTarget(member.learner_id, session.id, host);
    const token = await agent.token({ method: 'GET', path: `${path}/terminal` });
    return classRoomOf(c.env, member.class_id).fetch(
      new Request('https://class-room/watch', {
        headers: { upgrade: 'websocket', [watchHeaders.member]: member.member_id, [watchHeaders.url]: `${agent.url}${path}/terminal?mode=watch`, [watchHeaders.token]: token },
      }),
    );
  });
