import type { PeerInfo } from '@chantier/signaling/protocol';
import { describe, expect, it } from 'vitest';
import {
  addParticipant,
  addProducer,
  participantFromPeer,
  removeParticipant,
  removeProducer,
  setActiveSpeaker,
  setHandRaised,
  setProducerPaused,
  setTrack,
  type Participants,
} from './participants';

const peer = (peerId: string, producers: PeerInfo['producers'] = []): PeerInfo => ({
  peerId,
  userId: `user-${peerId}`,
  displayName: `Name ${peerId}`,
  role: 'member',
  producers,
});

const mic = { producerId: 'aaaa-1', kind: 'audio', source: 'mic', paused: false } as const;
const camera = { producerId: 'bbbb-2', kind: 'video', source: 'camera', paused: true } as const;
// Tracks are opaque to these functions; any object stands for one.
const fakeTrack = { id: 'track' } as unknown as MediaStreamTrack;

describe('participants', () => {
  it('carries a raised hand from the peer info and follows handRaised', () => {
    expect(participantFromPeer(peer('a'), null).handRaised).toBe(false);
    const list: Participants = [participantFromPeer({ ...peer('a'), handRaised: true }, null), participantFromPeer(peer('b'), null)];
    expect(list[0]!.handRaised).toBe(true);
    const lowered = setHandRaised(list, 'a', false);
    expect(lowered.map((p) => p.handRaised)).toEqual([false, false]);
    expect(setHandRaised(lowered, 'b', true).map((p) => p.handRaised)).toEqual([false, true]);
    expect(setHandRaised(lowered, 'nobody', true)).toBe(lowered);
  });


  it('derives micMuted and cameraOff from the announced producers', () => {
    const p = participantFromPeer(peer('a', [mic, camera]), null);
    expect(p.micMuted).toBe(false);
    expect(p.cameraOff).toBe(true); // paused camera
    const silent = participantFromPeer(peer('b'), 'b');
    expect(silent).toMatchObject({ micMuted: true, cameraOff: true, speaking: true });
  });

  it('follows producers being added, paused, resumed and closed', () => {
    let list: Participants = [participantFromPeer(peer('a'), null)];
    list = addProducer(list, 'a', mic);
    expect(list[0]?.micMuted).toBe(false);
    list = setProducerPaused(list, 'a', mic.producerId, true);
    expect(list[0]?.micMuted).toBe(true);
    list = setProducerPaused(list, 'a', mic.producerId, false);
    expect(list[0]?.micMuted).toBe(false);
    list = removeProducer(list, 'a', mic.producerId);
    expect(list[0]?.micMuted).toBe(true);
    expect(list[0]?.producers).toEqual([]);
  });

  it('attaches and detaches tracks by source', () => {
    let list: Participants = [participantFromPeer(peer('a'), null)];
    list = setTrack(list, 'a', 'camera', fakeTrack, 1);
    expect(list[0]?.videoTrack).toBe(fakeTrack);
    expect(list[0]?.audioTrack).toBeNull();
    list = setTrack(list, 'a', 'mic', fakeTrack, 2);
    list = setTrack(list, 'a', 'camera', null, 3);
    expect(list[0]).toMatchObject({ videoTrack: null, audioTrack: fakeTrack });
  });

  it("dates a screen's arrival, and forgets the date with the track", () => {
    let list: Participants = [participantFromPeer(peer('a'), null)];
    list = setTrack(list, 'a', 'screen', fakeTrack, 42);
    expect(list[0]).toMatchObject({ screenTrack: fakeTrack, screenSince: 42 });
    list = setTrack(list, 'a', 'mic', fakeTrack, 50);
    expect(list[0]?.screenSince).toBe(42);
    list = setTrack(list, 'a', 'screen', null, 60);
    expect(list[0]).toMatchObject({ screenTrack: null, screenSince: null });
  });

  it('adds, replaces a rejoining peer, removes, and ignores unknown peers', () => {
    let list: Participants = addParticipant([], participantFromPeer(peer('a'), null));
    list = addParticipant(list, participantFromPeer(peer('b'), null));
    list = setTrack(list, 'a', 'mic', fakeTrack, 2);
    list = addParticipant(list, participantFromPeer(peer('a'), null));
    expect(list.map((p) => p.peerId)).toEqual(['a', 'b']);
    expect(list[0]?.audioTrack).toBeNull();
    expect(addProducer(list, 'zzz', mic)).toBe(list);
    list = removeParticipant(list, 'a');
    expect(list.map((p) => p.peerId)).toEqual(['b']);
  });

  it('marks exactly one active speaker, and returns the same list when nothing changes', () => {
    let list: Participants = [participantFromPeer(peer('a'), null), participantFromPeer(peer('b'), null)];
    list = setActiveSpeaker(list, 'b');
    expect(list.map((p) => p.speaking)).toEqual([false, true]);
    expect(setActiveSpeaker(list, 'b')).toBe(list);
    list = setActiveSpeaker(list, null);
    expect(list.map((p) => p.speaking)).toEqual([false, false]);
  });
});
