// The abuse limits as settings (wrangler.toml [vars], or .dev.vars), validated once per isolate:
// a bad value is a configuration error that names the variable and the fix.
import { z } from 'zod';
import type { LimitSettingName } from './setting-names.ts';

const count = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number, e.g. "40" (wrangler.toml [vars])` })
    .int(`${name} must be a whole number (wrangler.toml [vars])`)
    .positive(`${name} must be at least 1 (wrangler.toml [vars])`);

export const limitSettingsSchema = z.object({
  LEARNERS_PER_ADDRESS_PER_MINUTE: count('LEARNERS_PER_ADDRESS_PER_MINUTE'),
  LIVE_SESSIONS_PER_ADDRESS: count('LIVE_SESSIONS_PER_ADDRESS'),
  EXTENSIONS_PER_SESSION: count('EXTENSIONS_PER_SESSION'),
  QUEUE_ABANDON_SECONDS: count('QUEUE_ABANDON_SECONDS'),
} satisfies Record<LimitSettingName, z.ZodType>);
export type LimitSettings = z.input<typeof limitSettingsSchema>;

export interface Limits {
  /** New learners (first visits without a cookie) one client address may make in a minute. */
  learnersPerAddressPerMinute: number;
  /** Queued or running sessions one client address may hold at once. */
  liveSessionsPerAddress: number;
  /** Extensions one session may have in all. */
  extensionsPerSession: number;
  /** A queued learner whose page has not asked for this long has left the line. */
  queueAbandonMs: number;
}

const parsed = new WeakMap<object, Limits>();

/** The limits of these bindings; throws (a 500, logged) when a setting is not a positive whole number. */
export function limitsOf(env: LimitSettings): Limits {
  const known = parsed.get(env);
  if (known) return known;
  const result = limitSettingsSchema.safeParse(env);
  if (!result.success) throw new Error(`Limit settings: ${result.error.issues.map((issue) => issue.message).join('; ')}.`);
  const limits = {
    learnersPerAddressPerMinute: result.data.LEARNERS_PER_ADDRESS_PER_MINUTE,
    liveSessionsPerAddress: result.data.LIVE_SESSIONS_PER_ADDRESS,
    extensionsPerSession: result.data.EXTENSIONS_PER_SESSION,
    queueAbandonMs: result.data.QUEUE_ABANDON_SECONDS * 1000,
  };
  parsed.set(env, limits);
  return limits;
}
