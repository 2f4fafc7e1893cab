// Turns the pipeline's progress events into what its CLI prints: one line per image — rewritten in place on a
// terminal as it goes from checking to building to pushed or cached — and a closing summary.
import type { BuildEvent, BuildReport, ImageResult } from './build.ts';
import { catalog } from './catalog.ts';

const NAME_WIDTH = Math.max(...catalog.map((image) => image.name.length));

const STEP_TEXT = {
  debootstrap: 'debootstrap and import…',
  building: 'building…',
  pushing: 'pushing…',
} as const;

export function createProgressPrinter(out: NodeJS.WritableStream & { isTTY?: boolean }): (event: BuildEvent) => void {
  const live = Boolean(out.isTTY);
  let current = '';
  // On a terminal the image's line is rewritten in place; in a log each state gets its own line.
  const show = (name: string, text: string, done = false) => {
    const line = `${done ? '' : '  '}${name.padEnd(NAME_WIDTH)}  ${text}`;
    if (live) out.write(`\r\x1b[K${done ? formatDoneMark(text) : ''}${line}${done ? '\n' : ''}`);
    else out.write(`${done ? formatDoneMark(text) : ''}${line}\n`);
  };
  return (event) => {
    if (event.type === 'image-start') {
      current = event.image;
      if (live) show(current, 'checking the mirror…');
    } else if (event.type === 'builder' && event.state === 'starting') {
      show(current, 'starting the builder dockerd…');
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

/** "pushed   48.2 s   212.4 MB, 74.0 MB to pull" or "cached    0.1 s   74.0 MB to pull". */
export function formatResult(result: ImageResult): string {
  const status = result.status === 'built' ? 'pushed' : 'cached';
  const seconds = `${result.seconds.toFixed(1)} s`.padStart(8);
  const sizes = [result.imageBytes === undefined ? undefined : formatBytes(result.imageBytes), `${formatBytes(result.pullBytes)} to pull`];
  return `${status} ${seconds}   ${sizes.filter(Boolean).join(', ')}`;
}

export function formatSummary(report: BuildReport): string {
  const built = report.images.filter((image) => image.status === 'built').length;
  const tags = report.images.reduce((sum, image) => sum + image.tags.length, 0);
  return [
    `${report.images.length} images (${tags} tags) in ${report.seconds.toFixed(1)} s: ${built} built, ${report.images.length - built} cached.`,
    `Served by http://${report.mirror} as library/<name>:<tag>; a daemon started with --registry-mirror http://${report.mirror} pulls them by their plain names.`,
  ].join('\n');
}

/** Decimal units, as `docker images` counts them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${(bytes / 1_000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
