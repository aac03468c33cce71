/**
 * The Redis bound's deadline list on a clock of the test's own: setTimeout is
 * faked (vitest), the list's clock is a number moved by hand, so that a stall
 * of the process (the clock moving on while no timer runs) can be made.
 * setImmediate is real: an expiry waits for one turn of the event loop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineList } from './DeadlineList.js';

const MS = 100;
let clock = 0;
/** Time passes and the timers due meanwhile run (the process is not stalled). */
const pass = (ms: number): void => {
  clock += ms;
  vi.advanceTimersByTime(ms);
};
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  clock = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function expiries(list: DeadlineList, count: number): string[] {
  const expired: string[] = [];
  for (let i = 0; i < count; i++) list.add(() => expired.push(`d${i}`));
  return expired;
}

describe('DeadlineList', () => {
  it('expires each deadline after its length, one turn of the event loop later, in order', async () => {
    const list = new DeadlineList(MS, () => clock);
    const expired = expiries(list, 2);
    pass(40);
    const late = list.add(() => expired.push('late'));
    pass(MS - 41);
    await turn();
    expect(expired).toEqual([]);
    pass(1);
    expect(expired).toEqual([]); // due, but after one more turn
    await turn();
    expect(expired).toEqual(['d0', 'd1']);
    expect(list.size).toBe(1);
    pass(40);
    await turn();
    expect(expired).toEqual(['d0', 'd1', 'late']);
    expect(list.size).toBe(0);
    list.remove(late); // after its expiry: nothing
    expect(list.size).toBe(0);
  });

  it('never expires a removed deadline, wherever it was in the list', async () => {
    const list = new DeadlineList(MS, () => clock);
    const expired: string[] = [];
    const deadlines = ['a', 'b', 'c', 'd'].map((name) => list.add(() => expired.push(name)));
    list.remove(deadlines[0]!);
    list.remove(deadlines[2]!);
    list.remove(deadlines[3]!);
    list.remove(deadlines[3]!);
    expect(list.size).toBe(1);
    pass(MS);
    await turn();
    expect(expired).toEqual(['b']);
  });

  it('lets an answer read in the same turn as the timer win', async () => {
    const list = new DeadlineList(MS, () => clock);
    const expired: string[] = [];
    const deadline = list.add(() => expired.push('x'));
    pass(MS);
    // The timer has fired; the answer is read before the expiry's turn comes.
    list.remove(deadline);
    await turn();
    expect(expired).toEqual([]);
  });

  it('starts a deadline again, once, when the process stalled past it', async () => {
    const list = new DeadlineList(MS, () => clock);
    const expired: string[] = [];
    list.add(() => expired.push('stalled'));
    clock += 3 * MS; // a stall: no timer ran meanwhile
    vi.advanceTimersByTime(MS);
    await turn();
    expect(expired).toEqual([]);
    expect(list.size).toBe(1);
    // The second bound counts from when the process came back.
    pass(MS - 1);
    await turn();
    expect(expired).toEqual([]);
    clock += 2 * MS; // stalled again: no third chance
    vi.advanceTimersByTime(1);
    await turn();
    expect(expired).toEqual(['stalled']);
  });

  it('holds one timer for any number of deadlines', () => {
    const list = new DeadlineList(MS, () => clock);
    expiries(list, 1000);
    expect(vi.getTimerCount()).toBe(1);
    list.clear();
    expect(list.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
