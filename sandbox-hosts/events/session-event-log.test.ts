// The per-session event log: numbering, paging, bounds in count and bytes, subscribers.
import { describe, expect, it } from 'vitest';
import { SessionEventLog } from './session-event-log.ts';

const volume = (id: string) => ({ host: 'host1', time: 0, type: 'volume', action: 'create', id, attributes: {} });

describe('session event log', () => {
  it('numbers events and pages from any seq', () => {
    const log = new SessionEventLog();
    ['a', 'b', 'c', 'd'].forEach((id) => log.append(volume(id)));
    expect(log.page().events.map((e) => [e.seq, e.id])).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]);
    expect(log.page(2).events.map((e) => e.id)).toEqual(['c', 'd']);
    expect(log.page(1, 2).events.map((e) => e.id)).toEqual(['b', 'c']);
    expect(log.page(4)).toEqual({ events: [], last: 4, firstKept: 1 });
  });

  it('keeps only the newest events past its limit and says from where', () => {
    const log = new SessionEventLog(3);
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => log.append(volume(id)));
    const page = log.page();
    expect(page.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page.firstKept).toBe(3);
    expect(log.page(4).events.map((e) => e.seq)).toEqual([5]);
  });

  it('keeps its events under its byte limit, however large each one is made', () => {
    const log = new SessionEventLog(1_000, 10_000);
    const large = (id: string) => ({ ...volume(id), attributes: { label: 'x'.repeat(3_000) } });
    for (let i = 0; i < 50; i++) log.append(large(`v${i}`));
    expect(log.bytes).toBeLessThanOrEqual(10_000);
    const page = log.page();
    expect(page.events.at(-1)?.id).toBe('v49');
    expect(page.firstKept).toBe(page.events[0].seq);
    expect(page.events.length).toBe(3);
    // One event larger than the whole limit is still kept, alone: the newest never goes.
    log.append({ ...volume('huge'), attributes: { label: 'x'.repeat(20_000) } });
    expect(log.page().events.map((e) => e.id)).toEqual(['huge']);
  });

  it('tells subscribers about new events until they unsubscribe', () => {
    const log = new SessionEventLog();
    const seen: number[] = [];
    const unsubscribe = log.subscribe((event) => seen.push(event.seq));
    log.append(volume('a'));
    unsubscribe();
    log.append(volume('b'));
    expect(seen).toEqual([1]);
  });
});
