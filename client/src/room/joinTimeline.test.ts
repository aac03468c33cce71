import { afterEach, describe, expect, it } from 'vitest';
import { joinTimeline, markJoin } from './joinTimeline';

describe('joinTimeline', () => {
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

  it('is empty before anything was marked', () => {
    expect(joinTimeline()).toEqual({});
  });
});
