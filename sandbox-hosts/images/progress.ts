// Turns the pipeline's progress events into what its CLI prints: one line per image — rewritten in place on a
// terminal as it goes from checking to building to pushed or cached — and a closing summary.
import type { PublishEvent } from '../machine/mirror.ts';
import type { BuildReport, ImageResult } from './build.ts';
import { catalog } from './catalog.ts';

const NAME_WIDTH = Math.max(...catalog.map((image) => image.name.length));

const STEP_TEXT = {
  debootstrap: 'debootstrap and import…',
  building: 'building…',
  pushing: 'pushing…',
} as const;

export function createProgressPrinter(out: NodeJS.WritableStream & { isTTY?: boolean }): (event: PublishEvent) => void {
  const live = Boolean(out.isTTY);
  let current = '';
  // On a terminal the image's line is rewritten in place; in a log each state gets its own line.
  const show = (name: string, text: string, done = false) => {
    const line = `${done ? '' : '  '}${name.padEnd(NAME_WIDTH)}  ${text}`;
    if (live) out.write(`\r\x1b[K${done ? formatDoneMark(text) : ''}${line}${done ? '\n' : ''}`);
    else out.write(`${done ? formatDoneMark(text) : ''}${line}\n`);
  };
  return (event) => {
    if (event.type === 'waiting') {
      out.write(`${event.reason[0].toUpperCase()}${event.reason.slice(1)}: waiting for it to finish…\n`);
    } else if (event.type === 'mirror-cleaned') {
      for (const item of event.removed) out.write(`mirror: removed ${item}\n`);
    } else if (event.type === 'image-start') {
      current = event.image;
      if (live) show(current, 'checking the mirror…');
    } else if (event.type === 'builder' && event.state === 'starting') {
      show(current, 'starting the builder dockerd…');
    } else if (event.type === 'image-untrusted') {
      show(event.image, `not as pinned: ${event.reason}`);
    } else if (event.type === 'image-step') {
      show(event.image, STEP_TEXT[event.step]);
    } else if (event.type === 'image-done') {
      show(event.result.name, formatResult(event.result), true);
    } else if (event.type === 'builder' && event.state === 'stopping' && live) {
      out.write('\r\x1b[Kstopping the builder dockerd…');
    } else if (event.type === 'builder' && event.state === 'stopped' && live) {
      out.write('\r\x1b[K');
    }
  };
}

function formatDoneMark(text: string): string {
  return text.startsWith('cached') ? '· ' : '✓ ';
}

/** "pushed    48.2 s   212.4 MB, 74.0 MB to pull", "restored   3.1 s   …" or "cached     0.1 s   74.0 MB to pull". */
export function formatResult(result: ImageResult): string {
  const status = { built: 'pushed', restored: 'restored', cached: 'cached' }[result.status].padEnd(8);
  const seconds = `${result.seconds.toFixed(1)} s`.padStart(7);
  const sizes = [result.imageBytes === undefined ? undefined : formatBytes(result.imageBytes), `${formatBytes(result.pullBytes)} to pull`];
  return `${status} ${seconds}   ${sizes.filter(Boolean).join(', ')}`;
}

export function formatSummary(report: BuildReport): string {
  const count = (status: ImageResult['status']) => report.images.filter((image) => image.status === status).length;
  const tags = report.images.reduce((sum, image) => sum + image.tags.length, 0);
  const restored = count('restored') > 0 ? `, ${count('restored')} restored` : '';
  return [
    `${report.images.length} images (${tags} tags) in ${report.seconds.toFixed(1)} s: ${count('built')} built${restored}, ${count('cached')} cached.`,
    `Served by http://${report.mirror} as library/<name>:<tag>; a daemon started with --registry-mirror http://${report.mirror} pulls them by their plain names.`,
  ].join('\n');
}

/** Decimal units, as `docker images` counts them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${(bytes / 1_000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
