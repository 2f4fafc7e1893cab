// Classes (turmas): what crosses between the instructor's page, the learners' pages, the control
// plane and the agents for them. An instructor creates a class with no account and holds a private
// link (its secret, stored only hashed); learners join with a short code. The grid is learners ×
// steps; it loads once (`classGridSchema`) and then stays current through the class's push channel
// (`classLiveMessageSchema`), fed by what the agents report of each session (`activityReportSchema`).
import { z } from 'zod';
import { reasonSchema } from './progress.ts';

const labIDSchema = z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a lab id such as "arquitetura"');
const stepIDSchema = z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a step id');

/** A class's public id (in its join link and its instructor link). */
export const classIDSchema = z.string().regex(/^[A-Za-z0-9_-]{16,32}$/, 'a class id');
/**
 * The short code learners type: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
 * upper case; typed in any case, with spaces or dashes, it is normalized before lookup.
 */
export const joinCodeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const joinCodeLength = 6;
export const joinCodeSchema = z
  .string()
  .transform((code) => code.replace(/[\s-]/g, '').toUpperCase())
  .pipe(z.string().regex(new RegExp(`^[${joinCodeAlphabet}]{${joinCodeLength}}$`), `${joinCodeLength} letters and digits, as the instructor shows them`));
/** The instructor's secret: 32 random bytes, base64url. Only its SHA-256 is stored. */
export const instructorSecretSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the secret from the instructor link');

export const createClassRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(80),
    /** The class's labs, in the order the grid shows them; at least one, each a lab of the catalog. */
    labs: z.array(labIDSchema).min(1).max(20),
    startsAt: z.iso.datetime().optional(),
    endsAt: z.iso.datetime().optional(),
  })
  .refine((body) => !body.startsAt || !body.endsAt || body.startsAt < body.endsAt, { message: 'endsAt must come after startsAt', path: ['endsAt'] });
export type CreateClassRequest = z.infer<typeof createClassRequestSchema>;

/** Shown once to the instructor who made the class: the secret is not stored and cannot be read again. */
export const createdClassSchema = z.object({
  id: classIDSchema,
  joinCode: z.string(),
  /** The learners' link: `/turmas/entrar/?codigo=ABC234` (the English page is `/en/classes/join/?code=ABC234`). */
  joinPath: z.string(),
  /** The instructor's link; the secret rides in the fragment, so it never reaches a server log. */
  instructorPath: z.string(),
  instructorSecret: instructorSecretSchema,
});
export type CreatedClass = z.infer<typeof createdClassSchema>;

export const joinClassRequestSchema = z.strictObject({
  code: joinCodeSchema,
  /** How the instructor sees the learner; pseudonymous ("Aprendiz 7") when not given. */
  displayName: z.string().trim().min(1).max(40).optional(),
});

export const classStates = ['not-started', 'open', 'ended'] as const;

/** What a learner (or the join page) is told of a class: nothing of other learners. */
export const classSummarySchema = z.object({
  id: classIDSchema,
  name: z.string(),
  labs: z.array(z.string()),
  state: z.enum(classStates),
  startsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
});
export type ClassSummary = z.infer<typeof classSummarySchema>;

/** A grid cell's state: passed, the step the learner is on now, or not reached. */
export const cellStates = ['done', 'working', 'not-started'] as const;

/** One learner × step. Absent cells are `not-started` with nothing counted. */
export const gridCellSchema = z.object({
  lab: z.string(),
  step: z.string(),
  state: z.enum(cellStates),
  /** Checks that found the step not done after the learner acted on it. */
  attempts: z.number().int().nonnegative(),
  hintsUsed: z.number().int().nonnegative(),
  /** When the learner reached the step (it became their current one). */
  since: z.iso.datetime().nullable(),
  passedAt: z.iso.datetime().nullable(),
  /** The latest reason a check gave for the step not being done. */
  lastReason: reasonSchema.nullable(),
});
export type GridCell = z.infer<typeof gridCellSchema>;

export const classLearnerSchema = z.object({
  /** The learner's id within this class only (not their learner id): nothing links classes. */
  id: z.string(),
  /** The learner's place in joining order: the page shows "Aprendiz 7" / "Learner 7" for a learner without a name. */
  number: z.number().int().positive(),
  /** The name the learner typed when joining; null: pseudonymous (the page names them by `number`). */
  displayName: z.string().nullable(),
  joinedAt: z.iso.datetime(),
  /** Whether a lab session of theirs runs now, and asked for help. */
  active: z.boolean(),
  helpRequested: z.boolean(),
  cells: z.array(gridCellSchema),
});
export type ClassLearner = z.infer<typeof classLearnerSchema>;

/** The instructor's grid, loaded once; the push channel then sends changes. */
export const classGridSchema = z.object({
  class: classSummarySchema,
  /** The code learners join with, for the instructor to show (projected, on the board). */
  joinCode: z.string(),
  learners: z.array(classLearnerSchema),
});
export type ClassGrid = z.infer<typeof classGridSchema>;

/** What the class's push channel sends the instructor's page (a WebSocket; text frames, JSON). */
export const classLiveMessageSchema = z.discriminatedUnion('type', [
  /** A learner joined, or changed name. */
  z.object({ type: z.literal('learner'), learner: classLearnerSchema.omit({ cells: true }) }),
  /** Cells of one learner changed (a check ran, a step passed, the learner moved on). */
  z.object({ type: z.literal('cells'), learner: z.string(), cells: z.array(gridCellSchema), active: z.boolean().optional() }),
  /** A learner asked for help, or the help ended. */
  z.object({ type: z.literal('help'), learner: z.string(), requested: z.boolean() }),
  z.object({ type: z.literal('class'), class: classSummarySchema }),
  /** A learner deleted their data: they leave the grid. */
  z.object({ type: z.literal('removed'), learner: z.string() }),
]);
export type ClassLiveMessage = z.infer<typeof classLiveMessageSchema>;

/** Where an agent reports what a session's checks saw; signed like a heartbeat, for this path. */
export const activityReportPath = (agentID: string) => `/api/agents/${agentID}/activity`;

/**
 * A session's step states as its checks last saw them (only the steps that changed), and the
 * commands its shells finished since the last report. The control plane keeps them for the
 * learner and pushes them to the learner's class.
 */
export const activityReportSchema = z.strictObject({
  session: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  lab: labIDSchema,
  steps: z
    .array(
      z.strictObject({
        step: stepIDSchema,
        state: z.enum(['done', 'working']),
        attempts: z.number().int().nonnegative().max(1_000_000),
        hintsUsed: z.number().int().nonnegative().max(100),
        since: z.iso.datetime().nullable(),
        passedAt: z.iso.datetime().nullable(),
        lastReason: reasonSchema.nullable(),
      }),
    )
    .max(100),
  commands: z
    .array(z.strictObject({ host: z.enum(['host1', 'host2', 'host3']), command: z.string().max(1024), exitCode: z.number().int().min(0).max(255), at: z.iso.datetime() }))
    .max(50),
});
export type ActivityReport = z.infer<typeof activityReportSchema>;

/** The subprotocol of the instructor's sockets; the secret rides as the second: `new WebSocket(url, [instructorSubprotocol, secret])`. */
export const instructorSubprotocol = 'doca-instructor';

/** Close codes of the instructor's watch socket (help mode) besides the terminal's own; clients don't reconnect on these. */
export const watchCloseCodes = {
  /** The learner stopped asking for help (or left the class, or the class ended). */
  helpEnded: 4002,
  /** The class was deleted. */
  classDeleted: 4004,
} as const;

export const myClassSchema = z.object({ class: classSummarySchema.nullable(), helpRequested: z.boolean() });
export type MyClass = z.infer<typeof myClassSchema>;

export const helpRequestSchema = z.strictObject({ requested: z.boolean() });

/** Extend the running sessions of one learner (their id in the class), or of every learner in the class. */
export const extendClassRequestSchema = z.strictObject({ learner: z.string().max(64).optional() });

export const classEventKinds = ['reached', 'failed', 'passed', 'command', 'help'] as const;

/** One moment of a learner's timeline: a step reached, a check that failed, a step passed, a command, help asked or ended. */
export const classEventSchema = z.object({
  at: z.iso.datetime(),
  kind: z.enum(classEventKinds),
  lab: z.string().optional(),
  step: z.string().optional(),
  /** `failed`: why the check found the step not done. */
  reason: reasonSchema.optional(),
  /** `command`: what the learner's shell finished, on which host, with its exit status. */
  command: z.string().optional(),
  host: z.string().optional(),
  exitCode: z.number().int().optional(),
  /** `help`: asked (true) or no longer (false). */
  requested: z.boolean().optional(),
});
export type ClassEvent = z.infer<typeof classEventSchema>;

export const classTimelineSchema = z.object({ events: z.array(classEventSchema) });

/** The whole class's event history (`events.json`): each event names its learner (their id in the class). */
export const classHistorySchema = z.object({ events: z.array(classEventSchema.extend({ learner: z.string() })) });
export type ClassHistory = z.infer<typeof classHistorySchema>;

/** One row of the class export (CSV columns in this order; JSON objects with these keys). */
export const exportColumns = ['learner', 'displayName', 'lab', 'step', 'state', 'firstPassedAt', 'attempts', 'hintsUsed', 'lastReason'] as const;

/** `export.json`: the rows of the CSV, with the reason as its code and values (the CSV words it in `?lang=`). */
export const classExportSchema = z.object({
  rows: z.array(
    z.object({
      learner: z.string(),
      /** The learner's number in the class (the CSV names a learner without a name "Aprendiz 7" / "Learner 7" by it). */
      number: z.number().int().positive(),
      displayName: z.string().nullable(),
      lab: z.string(),
      step: z.string(),
      state: z.enum(cellStates),
      firstPassedAt: z.iso.datetime().nullable(),
      attempts: z.number().int().nonnegative(),
      hintsUsed: z.number().int().nonnegative(),
      lastReason: reasonSchema.nullable(),
    }),
  ),
});
export type ClassExport = z.infer<typeof classExportSchema>;

/** How long a class's data is kept after it ends, unless deleted sooner (CLASS_RETENTION_DAYS). */
export const defaultClassRetentionDays = 90;
