import { describe, expect, it, vi } from 'vitest';
import { countsAsUnread, ReadMarker, unreadLabel } from './unread';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('unread counting', () => {
  const bruno = { author: { userId: 'u-bruno', displayName: 'Bruno' } };
  const alice = { author: { userId: 'u-alice', displayName: 'Alice' } };

  it('counts new messages of others while the chat is not on screen', () => {
    expect(countsAsUnread(bruno, 'u-alice', true, false)).toBe(true);
    expect(countsAsUnread(bruno, 'u-alice', true, true)).toBe(false); // on screen: read
    expect(countsAsUnread(alice, 'u-alice', true, false)).toBe(false); // mine
    expect(countsAsUnread(bruno, 'u-alice', false, false)).toBe(false); // already shown
  });

  it('caps the badge', () => {
    expect(unreadLabel(3)).toBe('3');
    expect(unreadLabel(99)).toBe('99');
    expect(unreadLabel(150)).toBe('99+');
  });
});

describe('ReadMarker', () => {
  it('sends marks one at a time, only forward, and collapses those asked meanwhile', async () => {
    const sent: string[] = [];
    const answers: Array<ReturnType<typeof deferred<number>>> = [];
    const counts: number[] = [];
    const marker = new ReadMarker(
      (id) => {
        sent.push(id);
        const answer = deferred<number>();
        answers.push(answer);
        return answer.promise;
      },
      (n) => counts.push(n),
    );
    marker.mark('5-0');
    marker.mark('6-0');
    marker.mark('7-0');
    marker.mark('6-5'); // older than the newest asked: ignored
    expect(sent).toEqual(['5-0']);
    answers[0]!.resolve(3);
    await flush();
    // A newer mark was waiting: the stale count 3 is not shown.
    expect(counts).toEqual([]);
    expect(sent).toEqual(['5-0', '7-0']);
    answers[1]!.resolve(0);
    await flush();
    expect(counts).toEqual([0]);
    marker.mark('7-0');
    marker.mark('1-0');
    expect(sent).toHaveLength(2);
  });

  it('survives a failed mark and drops answers after stop()', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const counts: number[] = [];
    let fail = true;
    const answer = deferred<number>();
    const marker = new ReadMarker(
      async () => {
        if (fail) throw new Error('socket closed');
        return answer.promise;
      },
      (n) => counts.push(n),
    );
    marker.mark('5-0');
    await flush();
    expect(marker.busy).toBe(false);
    fail = false;
    marker.mark('5-0'); // not acknowledged: sent again
    expect(marker.busy).toBe(true);
    marker.stop();
    answer.resolve(2);
    await flush();
    expect(counts).toEqual([]);
  });
});
