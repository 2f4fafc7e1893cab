// A learner's class, from their side (the cookie says who): which class they are in, leaving it,
// and asking its instructor for help. Nothing of other learners is ever shown here.
import { Hono } from 'hono';
import { helpRequestSchema, type MyClass } from '../../protocol/classes.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { leaveClass, roomOf } from './class-lifecycle';
import { ClassRecords } from './class-records';
import { classState, summaryOf } from './class-state';

export const learnerClassRoutes = new Hono<AppEnv>()
  .get('/class', async (c) => {
    const current = await new ClassRecords(c.env).current(c.get('learner').id);
    return c.json({ class: current ? summaryOf(current.row) : null, helpRequested: current?.member.help_requested === 1 } satisfies MyClass);
  })
  .delete('/class', async (c) => {
    await leaveClass(c.env, c.get('learner').id);
    return c.json({ class: null, helpRequested: false } satisfies MyClass);
  })
  .post('/help', async (c) => {
    const { requested } = await jsonBody(c, helpRequestSchema, '{"requested": true}');
    const records = new ClassRecords(c.env);
    const current = await records.current(c.get('learner').id);
    if (!current) throw new APIFailure('not_in_class', 'Join a class to ask its instructor for help.');
    if (requested && classState(current.row, Date.now()) === 'ended') throw new APIFailure('class_ended', 'This class has ended: its instructor no longer takes requests.');
    if (await records.setHelp(current.member, requested)) {
      await roomOf(c.env, current.row.id).push({ type: 'help', learner: current.member.member_id, requested });
    }
    return c.json({ helpRequested: requested });
  });
