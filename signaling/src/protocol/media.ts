/**
 * The media part of the protocol: mediasoup's ORTC structures, the ids of
 * media objects, and the requests on transports, producers and consumers.
 * messages.ts spreads `mediaRequests` into its request map.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty, Id } from './pieces.js';
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
} from 'mediasoup/types';

export { Id };
/** mediasoup object ids are UUIDs. */
export const MediaId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9a-fA-F-]+$' });

/**
 * mediasoup's own ORTC structures. They are checked here for shape and size
 * only; mediasoup validates their content and its TypeError becomes
 * BAD_REQUEST.
 */
export const JsonObject = Type.Object({}, { additionalProperties: true });
export const ObjectList = Type.Array(JsonObject, { maxItems: 64 });
export const RtpCapabilitiesSchema = Type.Unsafe<RtpCapabilities>(
  Type.Object(
    { codecs: Type.Optional(ObjectList), headerExtensions: Type.Optional(ObjectList) },
    { additionalProperties: true },
  ),
);
/** At least one codec: the worker refuses an empty list too, logging each refusal as an error. */
export const RtpParametersSchema = Type.Unsafe<RtpParameters>(
  Type.Object(
    { codecs: Type.Array(JsonObject, { minItems: 1, maxItems: 64 }), encodings: Type.Optional(ObjectList) },
    { additionalProperties: true },
  ),
);
/**
 * At least one fingerprint: the mediasoup worker refuses an empty list too,
 * but logs each refusal at error level (a client could fill the log with them).
 */
export const DtlsParametersSchema = Type.Unsafe<DtlsParameters>(
  Type.Object({ fingerprints: Type.Array(JsonObject, { minItems: 1, maxItems: 64 }) }, { additionalProperties: true }),
);

/** A data channel's stream (the probe's), as mediasoup-client describes it. */
export const SctpStreamParametersSchema = Type.Object(
  {
    streamId: Type.Integer({ minimum: 0, maximum: 65_534 }),
    ordered: Type.Optional(Type.Boolean()),
    maxPacketLifeTime: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
    maxRetransmits: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
  },
  { additionalProperties: false },
);

export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
/** What a producer carries, so that the UI can lay it out. */
export const MediaSource = Type.Union([
  Type.Literal('mic'),
  Type.Literal('camera'),
  Type.Literal('screen'),
  Type.Literal('screen-audio'),
]);
export type MediaSource = Static<typeof MediaSource>;


/**
 * A consumer made for this client: the `consume` answer, and each entry of
 * the `join` answer's `consumers` (made there already flowing, see join).
 */
export const ConsumerParams = Type.Object({
  consumerId: MediaId,
  producerId: MediaId,
  peerId: Id,
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: Type.Unsafe<RtpParameters>(JsonObject),
  producerPaused: Type.Boolean(),
});
export type ConsumerParams = Static<typeof ConsumerParams>;


export const mediaRequests = {
  createTransport: {
    request: Type.Object(
      {
        direction: Type.Union([Type.Literal('send'), Type.Literal('recv')]),
        /**
         * Before join only (a transport made ahead in the lobby): whether the
         * lobby shows audio-only, for the receive transport's starting estimate.
         * After join the session's own audio-only setting decides.
         */
        audioOnly: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      transportId: MediaId,
      iceParameters: Type.Unsafe<IceParameters>(JsonObject),
      iceCandidates: Type.Unsafe<IceCandidate[]>(ObjectList),
      dtlsParameters: Type.Unsafe<DtlsParameters>(JsonObject),
      sctpParameters: Type.Optional(Type.Unsafe<SctpParameters>(JsonObject)),
    }),
  },
  connectTransport: {
    request: Type.Object(
      { transportId: MediaId, dtlsParameters: DtlsParametersSchema },
      { additionalProperties: false },
    ),
    response: Empty,
  },
  /**
   * The probe (docs/PROTOCOL.md, "Joining fast"): a data channel opened on the
   * caller's send transport, which makes the browser connect it; before join
   * too, on the transports made in the lobby. One per participant.
   */
  openProbe: {
    request: Type.Object(
      { transportId: MediaId, sctpStreamParameters: SctpStreamParametersSchema },
      { additionalProperties: false },
    ),
    response: Type.Object({ dataProducerId: MediaId }),
  },
  /** The probe received back on the caller's receive transport (which connects it): the caller's own probe only. */
  receiveProbe: {
    request: Type.Object({ transportId: MediaId, dataProducerId: MediaId }, { additionalProperties: false }),
    response: Type.Object({
      dataConsumerId: MediaId,
      dataProducerId: MediaId,
      sctpStreamParameters: SctpStreamParametersSchema,
      label: Type.String({ maxLength: 64 }),
      protocol: Type.String({ maxLength: 64 }),
    }),
  },
  restartIce: {
    request: Type.Object({ transportId: MediaId }, { additionalProperties: false }),
    response: Type.Object({ iceParameters: Type.Unsafe<IceParameters>(JsonObject) }),
  },
  produce: {
    request: Type.Object(
      {
        transportId: MediaId,
        kind: MediaKind,
        rtpParameters: RtpParametersSchema,
        source: MediaSource,
        paused: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ producerId: MediaId }),
  },
  pauseProducer: {
    request: Type.Object({ producerId: MediaId }, { additionalProperties: false }),
    response: Empty,
  },
  resumeProducer: {
    request: Type.Object({ producerId: MediaId }, { additionalProperties: false }),
    response: Empty,
  },
  closeProducer: {
    request: Type.Object({ producerId: MediaId }, { additionalProperties: false }),
    response: Empty,
  },
  /** Receive a producer. The consumer starts paused: resume it once ready. */
  consume: {
    request: Type.Object({ producerId: MediaId }, { additionalProperties: false }),
    response: ConsumerParams,
  },
  resumeConsumer: {
    request: Type.Object({ consumerId: MediaId }, { additionalProperties: false }),
    response: Empty,
  },
  pauseConsumer: {
    request: Type.Object({ consumerId: MediaId }, { additionalProperties: false }),
    response: Empty,
  },
  /**
   * On the join screen (docs/PROTOCOL.md, "Joining fast"), once the receive
   * transport is made there: a consumer of every producer already in the
   * meeting, all paused (nothing flows before join), so that the page applies
   * their SDP before the press; `join` resumes them and its answer lists them
   * again. Refused as `join` would refuse the caller now.
   */
  prepareConsumers: {
    request: Type.Object(
      { rtpCapabilities: RtpCapabilitiesSchema, audioOnly: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    response: Type.Object({ consumers: Type.Array(ConsumerParams) }),
  },
  /**
   * The join answer's consumers are made on the page (docs/PROTOCOL.md,
   * "Joining fast"): each video among them, paused until now, starts from a
   * key frame (once each). Forwarded before the page's SDP was applied, a
   * video's first key frame lost its first packets.
   */
  consumersReady: {
    request: Type.Object({ consumerIds: Type.Array(MediaId, { minItems: 1, maxItems: 64 }) }, { additionalProperties: false }),
    response: Empty,
  },
};
