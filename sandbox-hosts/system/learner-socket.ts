// A unix socket in a folder a learner owns (their daemon's docker.sock), which the root agent connects
// to only when it is what it claims to be: a socket, not a link planted in its place, owned by that
// learner. Anything else there — a symlink to a neighbour's socket, a root-owned socket — is refused.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';

/** Linux's O_PATH: a descriptor that names a file without opening it (a socket cannot be opened). */
const O_PATH = 0o10000000;

export interface LearnerSocket {
  readonly path: string;
  /** The learner's Linux user: the only owner the socket may have. */
  readonly uid: number;
}

/** A learner's socket at `path`, to be reached only while it is a socket owned by `uid`. */
export function learnerSocket(path: string, uid: number): LearnerSocket {
  // A learner is never root: a root-owned socket in a learner's folder is not theirs.
  if (!Number.isInteger(uid) || uid <= 0) throw new RangeError(`A learner's uid is a positive integer, not ${uid}.`);
  return { path, uid };
}

export type SocketRefusal = 'symlink' | 'not_a_socket' | 'foreign_owner';

/** The path holds something the agent must not connect to. */
export class LearnerSocketRefused extends Error {
  readonly reason: SocketRefusal;

  constructor(socket: LearnerSocket, reason: SocketRefusal, detail: string) {
    super(`Refusing to connect to ${socket.path}: ${detail}`);
    this.name = 'LearnerSocketRefused';
    this.reason = reason;
  }
}

/**
 * Connects to the learner's socket. The path is opened without following a final symlink, the
 * descriptor checked with fstat, and the connection made through `/proc/self/fd/<fd>`, which reaches
 * the very inode that was checked whatever the learner renames into the path meanwhile.
 */
export async function connectLearnerSocket(socket: LearnerSocket): Promise<Socket> {
  // With O_PATH, O_NOFOLLOW yields a descriptor of the link itself instead of failing, so the check
  // below names what is there.
  const handle = await open(socket.path, O_PATH | constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    if (stat.isSymbolicLink()) throw new LearnerSocketRefused(socket, 'symlink', 'it is a symbolic link');
    if (!stat.isSocket()) throw new LearnerSocketRefused(socket, 'not_a_socket', 'it is not a socket');
    if (stat.uid !== socket.uid) throw new LearnerSocketRefused(socket, 'foreign_owner', `it belongs to uid ${stat.uid}, not ${socket.uid}`);
    return await connectPath(`/proc/self/fd/${handle.fd}`);
  } finally {
    // The connection, once made, no longer needs the descriptor.
    await handle.close();
  }
}

/** Connects to a unix socket by path; resolves once connected. */
export function connectPath(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A daemon killed mid-call resets its connections. Whoever uses the socket (the HTTP client)
      // hears that through its own listener; this one keeps a reset that arrives between owners
      // (before the request attaches, after the response has ended) from crashing the agent.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}
