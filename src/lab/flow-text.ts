// A command's path in words: each entry of a flow (protocol/flow.ts) as a sentence in the page's
// language, who does it (client, daemon, registry), and, for a `docker run`, which of the lesson's
// seven steps it is. What an entry names (the command, a container's name, a path) is the learner's:
// the panel only ever sets these strings as text.
import { actorOf, type CommandFlow, type FlowEntry } from '../../protocol/flow.ts';
import type { formatter } from './lab-strings';

type Translate = ReturnType<typeof formatter>;

export interface FlowLine {
  actor: 'client' | 'daemon' | 'registry';
  text: string;
  /** 1–7: the step of the lesson's `docker run -p 5433:5432 postgres` this entry is, in a run. */
  lessonStep?: number;
}

export function flowEntryText(entry: FlowEntry, t: Translate): string {
  switch (entry.kind) {
    case 'command':
      return t('doca.lab.flow.command', { host: entry.host });
    case 'request':
      // A container's or image's full id, as docker itself shows it: its first 12 characters.
      return t('doca.lab.flow.request', { host: entry.host, method: entry.method, path: entry.path.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1') });
    case 'image-missing':
      return t('doca.lab.flow.imageMissing', { host: entry.host, image: entry.image });
    case 'pull':
    case 'push':
      return t(entry.kind === 'pull' ? 'doca.lab.flow.pull' : 'doca.lab.flow.push', {
        host: entry.host,
        image: entry.image,
        registry: entry.registry === 'docker.io' ? t('doca.lab.flow.dockerHub') : entry.registry,
      });
    case 'container': {
      const key = ({ create: 'doca.lab.flow.create', start: 'doca.lab.flow.start', die: 'doca.lab.flow.die', destroy: 'doca.lab.flow.destroy' } as const)[entry.action];
      return t(key, { host: entry.host, name: entry.name, exitCode: entry.exitCode ?? '' });
    }
    case 'port':
      return t('doca.lab.flow.port', { host: entry.host, name: entry.name, hostPort: entry.hostPort, containerPort: entry.containerPort });
    case 'logs':
      return t('doca.lab.flow.logs', { name: entry.name });
    case 'result':
      return t('doca.lab.flow.result', { exitCode: entry.exitCode });
  }
}

/**
 * The lesson's seven steps, where a flow has them: 1 the client gets the command, 2 it asks the
 * daemon for a container, 3 the daemon checks for the image (and pulls it), 4 creates the container,
 * 5 maps the port, 6 starts it, 7 the client shows the logs or the id. Only a command that created a
 * container is a run; other commands' entries carry no number.
 */
function lessonStepOf(entry: FlowEntry, index: number, entries: readonly FlowEntry[]): number | undefined {
  switch (entry.kind) {
    case 'command':
      return 1;
    case 'request':
      return entries.findIndex((each) => each.kind === 'request' && /\/containers\/create/.test(each.path)) === index ? 2 : undefined;
    case 'image-missing':
    case 'pull':
      return 3;
    case 'container':
      return entry.action === 'create' ? 4 : entry.action === 'start' ? 6 : undefined;
    case 'port':
      return 5;
    case 'logs':
      return 7;
    case 'result':
      return entries.some((each) => each.kind === 'logs') ? undefined : 7;
    default:
      return undefined;
  }
}

export function flowLines(flow: CommandFlow, t: Translate): FlowLine[] {
  const isRun = flow.entries.some((entry) => entry.kind === 'container' && entry.action === 'create');
  return flow.entries.map((entry, index) => {
    const lessonStep = isRun ? lessonStepOf(entry, index, flow.entries) : undefined;
    return { actor: actorOf(entry), text: flowEntryText(entry, t), ...(lessonStep === undefined ? {} : { lessonStep }) };
  });
}
