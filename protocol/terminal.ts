// The terminal WebSocket, as the browser, the control plane and the agent speak it: binary frames
// carry raw pty bytes both ways; text frames carry one JSON control message with a `type`.
import { z } from 'zod';
import { commandFlowSchema } from './flow.ts';
import { labProgressSchema } from './progress.ts';

/** A reconnecting client first receives the last bytes the shell wrote, up to this many. */
export const terminalReplayBytes = 64 * 1024;

/**
 * Flow control by acknowledgement: the client acknowledges bytes once its terminal has drawn them.
 * The agent stops reading the shell while more than `highWatermark` bytes are unacknowledged, or
 * waiting in its own buffer for the network, and resumes once both are below `lowWatermark`; so `yes`
 * or `docker logs -f` can outrun neither the tab nor the agent, even for a client that acknowledges
 * without reading. Acknowledging more than was sent and not yet acknowledged is a protocol violation.
 */
export const terminalFlowControl = {
  highWatermark: 256 * 1024,
  lowWatermark: 64 * 1024,
  /** How often a client should acknowledge: after at least this many bytes. */
  ackEvery: 16 * 1024,
} as const;

/**
 * The largest frame the agent accepts (a larger one closes that socket with 1009). Keyboard input and
 * control messages are small; a client splits a paste into frames of at most `inputFrameBytes`.
 */
export const terminalFrameLimits = {
  maxFrameBytes: 64 * 1024,
  inputFrameBytes: 16 * 1024,
} as const;

/** The agent closes a socket that breaks the protocol (e.g. acknowledges bytes never sent) with 1002. */
export const terminalProtocolErrorCode = 1002;

/** Close codes of the terminal socket besides 1000 (the shell exited). Clients don't reconnect on these. */
export const terminalCloseCodes = {
  /** Another connection to the same host's terminal took over (e.g. a second tab). */
  replaced: 4000,
  /** The session ended: deleted, timed out or reaped after idling. */
  sessionEnded: 4001,
  /** A watcher (help mode) fell more than `terminalWatchLimits.maxBehindBytes` behind; it may connect again. */
  watcherBehind: 4005,
  /** The terminal already has `terminalWatchLimits.maxWatchers` watchers. */
  watchersFull: 4006,
} as const;

/**
 * Help mode: read-only watchers of a learner's terminal (`?mode=watch` on the agent's terminal route).
 * A watcher gets `ready`, the replay and the live output, and acknowledges bytes as the learner's
 * client does; nothing else it sends is taken. A watcher never holds the learner's shell back: one
 * more than `maxBehindBytes` behind (unacknowledged, or waiting in the agent's buffer) is closed.
 */
export const terminalWatchLimits = {
  maxWatchers: 3,
  maxBehindBytes: 1024 * 1024,
} as const;

export const terminalClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resize'), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) }),
  z.strictObject({ type: z.literal('ack'), bytes: z.number().int().positive() }),
]);
export type TerminalClientMessage = z.infer<typeof terminalClientMessageSchema>;

/** Why a terminal reports an error; the browser shows a localized message for each. */
export const terminalErrorCodes = ['invalid_message', 'protocol_violation', 'shell_failed', 'session_ended'] as const;

/** State of the host's Docker daemon, for the lab UI: the learner can stop their own daemon. */
export const daemonStates = ['running', 'restarting', 'failed'] as const;

export const terminalServerMessageSchema = z.discriminatedUnion('type', [
  /** The shell is attached; `replayed` bytes of earlier output follow before live output. */
  z.object({ type: z.literal('ready'), host: z.string(), replayed: z.number().int().nonnegative() }),
  /** The shell ended; the socket then closes with 1000 and the next connection starts a new shell. */
  z.object({ type: z.literal('exit'), exitCode: z.number().int(), signal: z.number().int().nullable() }),
  z.object({ type: z.literal('error'), code: z.enum(terminalErrorCodes), message: z.string() }),
  z.object({ type: z.literal('daemon'), state: z.enum(daemonStates) }),
  /** The lab's steps, as its checks see them: sent on connecting and whenever they change. */
  z.object({ type: z.literal('progress'), steps: labProgressSchema }),
  /** The path a command took (client → daemon → registry), sent as it grows and on connecting. */
  z.object({ type: z.literal('flow'), flow: commandFlowSchema }),
  /** The class's instructor is watching this terminal (help mode), read-only; or no longer is. */
  z.object({ type: z.literal('watched'), watching: z.boolean() }),
  /**
   * To a read-only watcher (help mode): the size of the learner's terminal, sent after `ready` and
   * whenever the learner resizes, so the watcher draws the shell's line editing as the learner sees it.
   */
  z.object({ type: z.literal('size'), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) }),
]);
export type TerminalServerMessage = z.infer<typeof terminalServerMessageSchema>;
