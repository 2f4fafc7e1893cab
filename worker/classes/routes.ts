// Classes from the outside: an instructor makes one (no account), a learner joins with its code.
import { Hono } from 'hono';
import { createClassRequestSchema, joinClassRequestSchema, type CreatedClass } from '../../protocol/classes.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { addressLimitsOf, enforce } from '../limits/address-limits';
import { clientAddress } from '../limits/client-address';
import { isActive, leaveClass, roomOf } from './class-lifecycle';
import { learnerOf, ClassRecords } from './class-records';
import { classRoomOf } from './class-room';
import { newInstructorSecret } from './class-secrets';
import { classState, labsOf, summaryOf } from './class-state';
import { instructorRoutes } from './instructor-routes';

/** Where learners join and where the instructor's grid lives (the pages have English twins: /en/classes/join/, /en/classes/dashboard/). */
export const joinPath = (code: string) => `/turmas/entrar/?codigo=${code}`;
export const instructorPath = (id: string, secret: string) => `/turmas/painel/#${id}.${secret}`;

export const classRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    // Counted like a first visit, before anything is written.
    enforce(await addressLimitsOf(c.env, clientAddress(c.req.raw)).admitLearner());
    const request = await jsonBody(c, createClassRequestSchema, '{"name": "Turma de sábado", "labs": ["arquitetura"], "endsAt": "2026-12-05T18:00:00.000Z"}');
    const classLabs = [...new Set(request.labs)];
    const unknown = classLabs.filter((lab) => !labs.has(lab));
    if (unknown.length > 0) throw new APIFailure('lab_not_found', `There is no lab "${unknown[0]}".`);
    if (request.endsAt && Date.parse(request.endsAt) <= Date.now()) throw new APIFailure('invalid_body', 'endsAt: the class would have ended already; give a later end.');
    const secret = newInstructorSecret();
    const row = await new ClassRecords(c.env).create({ ...request, labs: classLabs }, secret);
    await classRoomOf(c.env, row.id).schedule(row.id);
    console.log(JSON.stringify({ event: 'class.created', class: row.id, labs: classLabs }));
    const created: CreatedClass = { id: row.id, joinCode: row.join_code, joinPath: joinPath(row.join_code), instructorPath: instructorPath(row.id, secret), instructorSecret: secret };
    return c.json(created, 201);
  })
  // The learner behind the cookie (app.ts puts learnerIdentity in front of this route).
  .post('/join', async (c) => {
    const { code, displayName } = await jsonBody(c, joinClassRequestSchema, '{"code": "ABC234", "displayName": "Ana"}');
    const records = new ClassRecords(c.env);
    const row = await records.byCode(code);
    if (!row) throw new APIFailure('class_not_found', `No class has the code ${code}: check it with your instructor.`);
    const state = classState(row, Date.now());
    if (state === 'ended') throw new APIFailure('class_ended', 'This class has ended; it takes no one new.');
    if (state === 'not-started') throw new APIFailure('class_not_started', `This class opens at ${row.starts_at}.`);
    const learnerID = c.get('learner').id;
    const current = await records.current(learnerID);
    if (current && current.row.id !== row.id) await leaveClass(c.env, learnerID);
    const { member } = await records.join(learnerID, row.id, displayName);
    await roomOf(c.env, row.id).push({ type: 'learner', learner: learnerOf(member, await isActive(c.env, learnerID, labsOf(row))) });
    return c.json({ class: summaryOf(row) });
  })
  .route('/', instructorRoutes);
