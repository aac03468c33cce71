/**
 * The room's participants as others see them: who is there, what each
 * sends, and how well their media gets through.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MediaId, MediaKind, MediaSource } from './media.js';
import { DisplayName, Id } from './pieces.js';
import { Role } from './presence.js';

/**
 * How well a participant's media gets through, from the SFU's own scores of
 * what it receives from them and what it sends them: good, fair (some loss,
 * video stepped down), poor (video off or choppy audio), lost (nothing for
 * seconds: reconnecting).
 */
export const Quality = Type.Union([
  Type.Literal('good'),
  Type.Literal('fair'),
  Type.Literal('poor'),
  Type.Literal('lost'),
]);
export type Quality = Static<typeof Quality>;

export const ProducerInfo = Type.Object({
  producerId: MediaId,
  kind: MediaKind,
  source: MediaSource,
  paused: Type.Boolean(),
});
export type ProducerInfo = Static<typeof ProducerInfo>;

export const PeerInfo = Type.Object({
  peerId: Id,
  userId: Type.String(),
  displayName: DisplayName,
  role: Role,
  producers: Type.Array(ProducerInfo),
  /** Receives no video (a phone on a weak network, a call); see setAudioOnly. */
  audioOnly: Type.Optional(Type.Boolean()),
  /** Has raised their hand (raiseHand); absent = false. */
  handRaised: Type.Optional(Type.Boolean()),
});
export type PeerInfo = Static<typeof PeerInfo>;
