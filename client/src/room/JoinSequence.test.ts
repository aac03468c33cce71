import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResponseData } from '@chantier/signaling/protocol';
import type { SignalingChannel } from '../signaling/Connection';
import { createRoomState } from '../state/roomState';
import type { Admission } from './Admission';
import { JOIN_PENDING_SHOWN_MS, joinMeeting, RECEIVE_WAIT_MS, receiveOthers, type Joined } from './JoinSequence';
import type { ConsumedTrack, MediaSession } from './MediaSession';
import type { MediaPrewarm } from './MediaPrewarm';

type JoinAnswer = ResponseData<'join'>;

const ANSWER = { peers: [], consumers: [] } as unknown as JoinAnswer;

/** A signaling channel whose `join` is answered when the test says so; what happened, in order. */
function fakeSignaling(events: string[]) {
  let answer: (value: JoinAnswer) => void = () => undefined;
  const channel = {
    request: vi.fn((type: string) => {
      events.push(`request ${type}`);
      return new Promise<JoinAnswer>((resolve) => {
        answer = resolve;
      });
    }),
  };
  return { channel: channel as unknown as SignalingChannel, answer: (value: JoinAnswer) => answer(value) };
}

function joinSteps(events: string[], signaling: SignalingChannel) {
  const session = { rtpCapabilities: { codecs: [] }, close: vi.fn() } as unknown as MediaSession;
  const state = createRoomState();
  return {
    state,
    signaling,
    selfPeerId: 'me',
    prewarm: { take: () => Promise.resolve(session) } as unknown as MediaPrewarm,
    admission: {} as Admission,
    isPhone: false,
    stale: () => false,
    adopt: () => events.push('adopt'),
    pending: () => events.push('pending'),
  };
}

describe('joinMeeting', () => {
  afterEach(() => vi.useRealTimers());

  it('leaves the join screen as it was while `join` is answered quickly', async () => {
    const events: string[] = [];
    const signaling = fakeSignaling(events);
    const joining = joinMeeting(joinSteps(events, signaling.channel));
    await vi.waitFor(() => expect(events).toContain('request join'));
    signaling.answer(ANSWER);
    await expect(joining).resolves.toMatchObject({ answer: ANSWER, others: [] });
    await new Promise((resolve) => setTimeout(resolve, JOIN_PENDING_SHOWN_MS + 20));
    expect(events).toEqual(['adopt', 'request join']);
  });

  it('tells the caller when `join` is slow to answer, so that the join screen shows the press', async () => {
    vi.useFakeTimers();
    const events: string[] = [];
    const signaling = fakeSignaling(events);
    const joining = joinMeeting(joinSteps(events, signaling.channel));
    await vi.advanceTimersByTimeAsync(JOIN_PENDING_SHOWN_MS - 1);
    expect(events).toEqual(['adopt', 'request join']);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual(['adopt', 'request join', 'pending']);
    signaling.answer(ANSWER);
    await expect(joining).resolves.toMatchObject({ answer: ANSWER });
  });
});

describe('receiveOthers', () => {
  afterEach(() => vi.useRealTimers());

  const consumed = { consumerId: 'c1', producerId: 'p1', peerId: 'bob', source: 'camera' } as unknown as ConsumedTrack;

  function joined(receiveJoined: () => Promise<ConsumedTrack[]>): Joined {
    const session = { receiveJoined, isReceiving: () => true } as unknown as MediaSession;
    const answer = { peers: [], consumers: [{ consumerId: 'c1', producerId: 'p1' }] } as unknown as JoinAnswer;
    return { session, answer, others: [] };
  }

  it('resolves once the answer\'s consumers are made and handed over', async () => {
    const received: ConsumedTrack[] = [];
    let made: (tracks: ConsumedTrack[]) => void = () => undefined;
    let settled = false;
    const waiting = receiveOthers(
      joined(() => new Promise((resolve) => (made = resolve))),
      (c) => received.push(c),
      () => undefined,
    ).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    made([consumed]);
    await waiting;
    expect(received).toEqual([consumed]);
  });

  it('does not hold the meeting view longer than RECEIVE_WAIT_MS when the consumers never come', async () => {
    vi.useFakeTimers();
    let settled = false;
    const waiting = receiveOthers(
      joined(() => new Promise(() => undefined)),
      () => undefined,
      () => undefined,
    ).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(RECEIVE_WAIT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(settled).toBe(true);
  });
  it('consumes the slow way, once each, what the answer lacks and what it carried but could not be made', async () => {
    const receiving = new Set<string>();
    let made: (tracks: ConsumedTrack[]) => void = () => undefined;
    const session = {
      receiveJoined: (consumers: Array<{ producerId: string }>) => {
        for (const c of consumers) receiving.add(c.producerId);
        return new Promise<ConsumedTrack[]>((resolve) => (made = resolve));
      },
      isReceiving: (producerId: string) => receiving.has(producerId),
    } as unknown as MediaSession;
    const answer = {
      peers: [],
      consumers: [
        { consumerId: 'c1', producerId: 'p1' },
        { consumerId: 'c2', producerId: 'p2' },
      ],
    } as unknown as JoinAnswer;
    const others = [
      { peerId: 'bob', producers: [{ producerId: 'p1' }, { producerId: 'p2' }] },
      { peerId: 'eve', producers: [{ producerId: 'p3' }] },
    ] as unknown as Joined['others'];
    const consumed: string[] = [];
    const consume = (peerId: string, producerId: string) => {
      consumed.push(`${peerId}/${producerId}`);
      receiving.add(producerId);
    };
    const waiting = receiveOthers({ session, answer, others }, () => undefined, consume);
    // Not in the answer: at once, behind the answer's batch.
    expect(consumed).toEqual(['eve/p3']);
    // p2's consumer could not be made on the page (MediaSession forgets it): the slow way.
    receiving.delete('p2');
    made([{ consumerId: 'c1', producerId: 'p1', peerId: 'bob', source: 'camera' } as unknown as ConsumedTrack]);
    await waiting;
    expect(consumed).toEqual(['eve/p3', 'bob/p2']);
  });
});
