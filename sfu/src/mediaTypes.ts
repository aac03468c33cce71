/** The SFU's media types: what producers, consumers and transports carry, and why a consumer is paused. */
import type { MediaKind, RtpParameters, WebRtcTransport } from 'mediasoup/types';

export type Direction = 'send' | 'recv';
/** What a producer carries; chosen by the client, used by the UI. */
export type Source = 'mic' | 'camera' | 'screen' | 'screen-audio';

export interface ProducerAppData extends Record<string, unknown> {
  peerId: string;
  source: Source;
}
export interface ConsumerAppData extends Record<string, unknown> {
  peerId: string;
  producerPeerId: string;
  source: Source;
}
export interface TransportAppData extends Record<string, unknown> {
  peerId: string;
  direction: Direction;
}

export interface TransportParams {
  transportId: string;
  iceParameters: WebRtcTransport['iceParameters'];
  iceCandidates: WebRtcTransport['iceCandidates'];
  dtlsParameters: WebRtcTransport['dtlsParameters'];
}

/** Why a consumer is paused; it flows only when there is no reason left. */
export type PauseReason =
  /** The receiving client asked (and every consumer starts so, until the client is ready). */
  | 'client'
  /** The receiving client does not show this video (setViewport). */
  | 'viewport'
  /** The receiver's downlink cannot carry it along with the voices. */
  | 'bandwidth'
  /** A voice this listener (audio-only, weak link) does not get: not among the loudest (LoudestVoices.ts). */
  | 'voice';

/** One tile of video the receiving client shows, in device pixels. */
export interface ViewportTile {
  producerId: string;
  width: number;
  height: number;
}

export interface ConsumerControl {
  readonly reasons: Set<PauseReason>;
  /** What was last asked of mediasoup (pause or resume). */
  paused: boolean;
  priority: number;
  /** Simulcast layers of the producer (1: single-layer). */
  readonly spatialLayers: number;
}

export interface ProduceOptions {
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  source: Source;
  paused?: boolean;
}
