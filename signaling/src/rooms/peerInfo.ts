/** A joined session as the others see it (PeerInfo: `join`'s answer, `peerJoined`). */
import type { MediaPeer, Source } from '@chantier/sfu';
import type { PeerInfo, ProducerInfo } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';

export function peerInfo(session: Session): PeerInfo {
  return {
    peerId: session.peerId!,
    userId: session.identity!.userId,
    displayName: session.displayName ?? session.identity!.displayName,
    role: session.identity!.role,
    producers: session.media ? producerInfos(session.media) : [],
    audioOnly: session.media?.audioOnly ?? false,
    ...(session.handRaised ? { handRaised: true } : {}),
  };
}

export function producerInfos(peer: MediaPeer): ProducerInfo[] {
  return [...peer.producers.values()].map((p) => ({
    producerId: p.id,
    kind: p.kind,
    source: p.appData.source as Source,
    paused: p.paused,
  }));
}
