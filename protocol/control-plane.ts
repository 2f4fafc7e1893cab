// The control plane's API for learners' browsers, and the heartbeat agents send it.
import { z } from 'zod';
import { agentAudience, agentTokenIssuer, sessionKeySchema } from './agent.ts';

/**
 * Agents sign their heartbeats with their own key: issuer `doca-agent:<id>`, audience
 * `doca-control-plane` — the reverse of the tokens the control plane signs for them, so neither can
 * be replayed as the other — bound to POST on this path (protocol/tokens.ts).
 */
export const heartbeatAudience = agentTokenIssuer;
export const heartbeatIssuer = agentAudience;
export const heartbeatPath = (agentID: string) => `/api/agents/${agentID}/heartbeat`;

export const agentIDSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes');

/** The longest `problem` an agent may report: one sentence for an operator's log. */
export const agentProblemMaxLength = 300;

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackURL(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/**
 * Where the control plane reaches an agent: https, or plain http only on loopback, where no network
 * lies between them. A remote agent is reached over TLS: its own listener or a tunnel (README).
 */
export const agentURLSchema = z
  .url({ protocol: /^https?$/ })
  .refine((text) => new URL(text).protocol === 'https:' || isLoopbackURL(new URL(text)), 'an https URL, or http on loopback only (127.0.0.1, ::1, localhost): reach a remote agent through TLS or a tunnel');

export const agentHeartbeatSchema = z.strictObject({
  /** Where the control plane reaches the agent's API. */
  url: agentURLSchema,
  /**
   * A random id the agent makes each time it starts. A new one under the same agent id means the
   * agent restarted and holds none of the sessions it held before.
   */
  bootID: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, '8 to 64 letters, digits and dashes, e.g. a UUID'),
  /**
   * Null, or why the agent cannot make sandboxes now, in one short English sentence for the
   * operator (never shown to learners). An agent with a problem reports capacity 0, and the control
   * plane sends it no learners whatever it reports.
   */
  problem: z.string().trim().min(1).max(agentProblemMaxLength).nullable(),
  /** The keys of the sessions the agent holds or is making: the control plane answers which it no longer knows. */
  sessions: z.array(sessionKeySchema).max(1000),
  capacity: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  warm: z.number().int().nonnegative(),
});
export type AgentHeartbeat = z.infer<typeof agentHeartbeatSchema>;

/** Where an agent reports the steps its checks saw passed; signed like a heartbeat, for this path. */
export const progressReportPath = (agentID: string) => `/api/agents/${agentID}/progress`;

/** Steps a lab session passed on the agent: the control plane keeps them (D1) for the learner. */
export const progressReportSchema = z.strictObject({
  /** The control plane's name for the session (its key on the agent). */
  session: sessionKeySchema,
  lab: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a lab id such as "arquitetura"'),
  steps: z
    .array(
      z.strictObject({
        step: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a step id'),
        passedAt: z.iso.datetime(),
        /** Checks that found the step not done after the learner acted on it, before it passed. */
        failures: z.number().int().nonnegative().max(1_000_000),
        /**
         * How many of the step's hints were open when it passed. An agent that predates hints being
         * counted reports none: its passes are kept rather than refused.
         */
        hintsUsed: z.number().int().nonnegative().max(100).default(0),
      }),
    )
    .min(1)
    .max(100),
});
export type ProgressReport = z.infer<typeof progressReportSchema>;

/** A step the learner passed: when, after how many failed checks ("attempts"), with how many hints open. */
export const passedStepSchema = z.object({
  step: z.string(),
  completedAt: z.iso.datetime(),
  failures: z.number().int().nonnegative(),
  hintsUsed: z.number().int().nonnegative(),
});
export type PassedStep = z.infer<typeof passedStepSchema>;

/** A learner's passed steps of a lab, as the page reads them after a reload or on another device. */
export const learnerProgressSchema = z.object({
  lab: z.string(),
  steps: z.array(passedStepSchema),
});
export type LearnerProgress = z.infer<typeof learnerProgressSchema>;

/** A learner's passed steps in every lab of the catalog (`GET /api/me/progress` without `lab`), lab id → steps in the lab's order. */
export const learnerProgressByLabSchema = z.object({
  labs: z.record(z.string(), z.array(passedStepSchema)),
});
export type LearnerProgressByLab = z.infer<typeof learnerProgressByLabSchema>;

/** The control plane's answer to a heartbeat: sessions it doesn't know (ended, or never its own), for the agent to remove. */
export const heartbeatAnswerSchema = z.object({ remove: z.array(sessionKeySchema) });
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswerSchema>;

export const learnerSchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
});
export type Learner = z.infer<typeof learnerSchema>;

export const updateLearnerRequestSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(40).nullable(),
});

export const startLabSessionRequestSchema = z.strictObject({
  lab: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'a lab id such as "arquitetura"'),
});

/**
 * How often a lab page asks about its session. Often while it waits: the control plane places the
 * first in line the moment room frees, and a page that asks while its session starts gets the
 * answer as soon as it runs. Rarely once it runs: its terminals say when it ends. A queued page that
 * stops asking loses its place (QUEUE_ABANDON_SECONDS).
 */
export const sessionPollMs = { waiting: 1_000, running: 30_000 } as const;

/** `starting`: placed on an agent, which is making its sandbox hosts (or waiting its turn to). */
export const labSessionStates = ['queued', 'starting', 'running', 'ended'] as const;
/**
 * Why a session ended: `deleted` by its learner; `expired` (time limit or idling); `lost`, its agent
 * stopped reporting or restarted; `failed`, no agent could make its sandboxes.
 */
export const endedReasons = ['deleted', 'expired', 'lost', 'failed'] as const;

export const labSessionSchema = z.object({
  id: z.string(),
  lab: z.string(),
  state: z.enum(labSessionStates),
  /** 1 = next in line; null unless queued. */
  queuePosition: z.number().int().positive().nullable(),
  /** host1…host3, once running. */
  hosts: z.array(z.string()),
  createdAt: z.iso.datetime(),
  /** When the session ends unless extended; null unless running. */
  expiresAt: z.iso.datetime().nullable(),
  endedReason: z.enum(endedReasons).nullable(),
});
export type LabSession = z.infer<typeof labSessionSchema>;
