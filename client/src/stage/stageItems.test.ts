import type { PeerInfo } from '@chantier/signaling/protocol';
import { describe, expect, it } from 'vitest';
import { participantFromPeer, setTrack, type Participants } from '../state/participants';
import { GRID, NO_SELECTION, pin, screenShareItems, selectStage, stageKey, withGrid, type StageItem } from './stageItems';

const track = { id: 't' } as unknown as MediaStreamTrack;
const screenOf = (peerId: string): StageItem => ({ kind: 'screen', peerId, producerId: `${peerId}-screen` });

function sharing(peerId: string): PeerInfo {
  return {
    peerId,
    userId: `u-${peerId}`,
    displayName: peerId,
    role: 'member',
    producers: [{ producerId: `${peerId}-screen`, kind: 'video', source: 'screen', paused: false }],
  };
}

describe('screenShareItems', () => {
  it('lists screens whose track has arrived, oldest share first', () => {
    let list: Participants = ['a', 'b', 'c'].map((id) => participantFromPeer(sharing(id), null));
    list = setTrack(list, 'b', 'screen', track, 10);
    list = setTrack(list, 'a', 'screen', track, 20);
    // c announced its screen, but nothing has been received yet: nothing to show.
    expect(screenShareItems(list)).toEqual([screenOf('b'), screenOf('a')]);
  });
});

describe('selectStage', () => {
  const a = screenOf('a');
  const b = screenOf('b');

  it('shows the grid when nobody shares', () => {
    expect(selectStage(withGrid([]), NO_SELECTION)).toEqual(GRID);
  });

  it('shows the newest share when the viewer has not chosen', () => {
    expect(selectStage(withGrid([a]), NO_SELECTION)).toEqual(a);
    expect(selectStage(withGrid([a, b]), NO_SELECTION)).toEqual(b);
  });

  it("keeps the viewer's pick while it exists", () => {
    const items = withGrid([a, b]);
    expect(selectStage(items, pin(items, a))).toEqual(a);
    expect(selectStage(items, pin(items, GRID))).toEqual(GRID);
  });

  it('puts a new share up even over a pick, and returns to the pick when it ends', () => {
    const before = withGrid([a]);
    const selection = pin(before, GRID);
    expect(selectStage(withGrid([a, b]), selection)).toEqual(b);
    expect(selectStage(before, selection)).toEqual(GRID);
  });

  it('treats a restarted share (a new producer) as new', () => {
    const selection = pin(withGrid([a]), GRID);
    const again: StageItem = { kind: 'screen', peerId: 'a', producerId: 'a-screen-2' };
    expect(selectStage(withGrid([again]), selection)).toEqual(again);
  });

  it('falls back to the newest remaining share, then the grid, when the pick ends', () => {
    const selection = pin(withGrid([a, b]), b);
    expect(selectStage(withGrid([a]), selection)).toEqual(a);
    expect(selectStage(withGrid([]), selection)).toEqual(GRID);
  });

  it('keys items by kind and producer', () => {
    expect(stageKey(GRID)).toBe('grid');
    expect(stageKey(a)).toBe('screen:a-screen');
  });
});
