import { describe, expect, it } from 'vitest';
import { RetiringTotals } from './RetiringTotals.js';

describe('RetiringTotals', () => {
  it('sums live objects per group, with zero for a group that has none', () => {
    const t = new RetiringTotals();
    const totals = t.update(
      [
        { id: 'a', group: 'w1', value: 100 },
        { id: 'b', group: 'w1', value: 50 },
      ],
      ['w1', 'w2'],
    );
    expect(Object.fromEntries(totals)).toEqual({ w1: 150, w2: 0 });
  });

  it('never goes down when an object closes: its last value is kept', () => {
    const t = new RetiringTotals();
    t.update([{ id: 'a', group: 'w1', value: 100 }, { id: 'b', group: 'w1', value: 50 }], ['w1']);
    expect(t.update([{ id: 'b', group: 'w1', value: 70 }], ['w1']).get('w1')).toBe(170);
    expect(t.update([], ['w1']).get('w1')).toBe(170);
    expect(t.update([{ id: 'c', group: 'w1', value: 5 }], ['w1']).get('w1')).toBe(175);
  });

  it('ignores a value smaller than the last one seen, and nonsense', () => {
    const t = new RetiringTotals();
    t.update([{ id: 'a', group: 'w1', value: 100 }], ['w1']);
    expect(t.update([{ id: 'a', group: 'w1', value: 40 }], ['w1']).get('w1')).toBe(100);
    expect(t.update([{ id: 'a', group: 'w1', value: Number.NaN }, { id: 'b', group: 'w1', value: -3 }], ['w1']).get('w1')).toBe(100);
  });

  it('forgets a group that is gone (a dead worker), live objects of it included', () => {
    const t = new RetiringTotals();
    t.update([{ id: 'a', group: 'w1', value: 100 }, { id: 'b', group: 'w2', value: 7 }], ['w1', 'w2']);
    t.update([{ id: 'b', group: 'w2', value: 8 }], ['w1', 'w2']);
    const totals = t.update([{ id: 'b', group: 'w2', value: 9 }], ['w2']);
    expect(Object.fromEntries(totals)).toEqual({ w2: 9 });
    // Back under the same name later (a pid reused): starts from nothing.
    expect(t.update([], ['w1', 'w2']).get('w1')).toBe(0);
  });
});
