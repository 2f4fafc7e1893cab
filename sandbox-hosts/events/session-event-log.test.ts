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
