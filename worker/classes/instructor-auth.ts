// The instructor of a class is whoever holds its secret: `Authorization: Bearer <secret>`, or, for
// a WebSocket (a browser can't set headers on one), the subprotocols `doca-instructor, <secret>`.
// No secret, a wrong one, and a class that does not exist get the same 401, so ids can't be probed.
import type { MiddlewareHandler } from 'hono';
import { classIDSchema, instructorSecretSchema, instructorSubprotocol } from '../../protocol/classes.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import type { AppEnv } from '../env';
import { ClassRecords } from './class-records';
import { secretMatches } from './class-secrets';

/** The secret a request carries, if any. */
export function instructorSecretOf(request: Request): string | undefined {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer) return bearer;
  const protocols = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((protocol) => protocol.trim());
  return protocols.includes(instructorSubprotocol) ? protocols.find((protocol) => protocol !== instructorSubprotocol) : undefined;
}

const refused = () => new APIFailure('unauthorized', "Open the class with its instructor link: this class's secret is missing or wrong.");

export const instructorOf: MiddlewareHandler<AppEnv> = async (c, next) => {
  const secret = instructorSecretSchema.safeParse(instructorSecretOf(c.req.raw));
  const id = classIDSchema.safeParse(c.req.param('id'));
  if (!secret.success || !id.success) throw refused();
  const row = await new ClassRecords(c.env).byID(id.data);
  // A class that doesn't exist is checked against a hash all the same: the answer takes as long.
  const matches = await secretMatches(secret.data, row?.secret_hash ?? '0'.repeat(64));
  if (!row || !matches) throw refused();
  c.set('class', row);
  await next();
};
