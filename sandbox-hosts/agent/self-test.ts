// Before an agent offers sandboxes, it makes one: a machine that passes every preflight check can
// still fail to start a daemon (a kernel setting nobody thought of, a broken package). The answer
// is one readable line, for the person at `npm start` and for the control plane's logs.
import { randomBytes } from 'node:crypto';
import type { SandboxSessions } from '../sandbox/session.ts';

export type SelfTestResult = { ok: true; ms: number } | { ok: false; problem: string };

/** Creates and removes a one-host session, as a learner's would be. */
export async function selfTest(sessions: SandboxSessions): Promise<SelfTestResult> {
  const started = performance.now();
  const id = `check${randomBytes(2).toString('hex')}`;
  try {
    const session = await sessions.create(1, id);
    await sessions.destroy(session);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    // Without the random id, the same failure reads the same each time (it is logged once per change).
    const message = String((error as Error)?.message ?? error).replaceAll(`sandbox host ${id}1`, "the self-test's sandbox host");
    return { ok: false, problem: oneLine(message) };
  }
}

/**
 * The failure as one line: what failed, then the most telling thing the failing program said (the
 * last line that reports an error, e.g. rootlesskit naming the tap device it could not set up),
 * with Go's struct dumps left out, bounded for logs and heartbeats.
 */
export function oneLine(error: unknown, maxLength = 280): string {
  const lines = String((error as Error)?.message ?? error)
    .split('\n')
    .map((line) => withoutStructDumps(line).trim())
    .filter(Boolean);
  const first = lines[0]?.replace(/:$/, '') ?? 'unknown failure';
  const rest = lines.slice(1);
  // rootlesskit's child only says its parent went away; the parent says why.
  const telling = rest.filter((line) => /error|fail|denied|cannot|unable|no such/i.test(line) && !/parsing message from fd/.test(line)).at(-1) ?? rest.at(-1);
  const text = telling ? `${first}: ${telling}` : first;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** Removes `&{…}` blocks (Go's %v of a struct pointer), nested braces included. */
function withoutStructDumps(line: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    if (depth === 0 && line.startsWith('&{', i)) {
      depth = 1;
      i++;
    } else if (depth > 0) {
      if (line[i] === '{') depth++;
      else if (line[i] === '}') depth--;
    } else {
      out += line[i];
    }
  }
  return out.replace(/\s+:/g, ':');
}
