import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinTimeline, markJoin } from './joinTimeline';

describe('joinTimeline', () => {
  // performance's marks are the process's: another file run before this one in the same worker may have left some.
  beforeEach(() => performance.clearMarks());
  afterEach(() => performance.clearMarks());

  it('reports the last join: lobby phases before its press, the first of each later phase', () => {
    markJoin('hello-answered');
    markJoin('pressed');
    markJoin('first-consumer'); // an earlier join's
    markJoin('device-loaded');
    markJoin('pressed');
    markJoin('join-answered');
    markJoin('first-consumer');
    markJoin('first-consumer');
    performance.mark('someone-else');
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('chantier:join:'));
    const at = (i: number): number => marks[i]!.startTime;
    expect(joinTimeline()).toEqual({
      'hello-answered': at(0),
      'device-loaded': at(3),
      pressed: at(4),
      'join-answered': at(5),
      'first-consumer': at(6),
    });
  });

  it('takes a transport connected in the lobby (the probe) from before the press, else the first after it', () => {
    markJoin('send-transport-connected');
    markJoin('recv-transport-connected');
    markJoin('pressed');
    markJoin('recv-transport-connected'); // again after an ICE restart: not the join's
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('chantier:join:'));
    const at = (i: number): number => marks[i]!.startTime;
    expect(joinTimeline()).toEqual({ 'send-transport-connected': at(0), 'recv-transport-connected': at(1), pressed: at(2) });
    performance.clearMarks();
    markJoin('pressed');
    markJoin('send-transport-connected');
    const after = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('chantier:join:'));
    expect(joinTimeline()).toEqual({ pressed: after[0]!.startTime, 'send-transport-connected': after[1]!.startTime });
  });

  it('is empty before anything was marked', () => {
    expect(joinTimeline()).toEqual({});
  });
});
