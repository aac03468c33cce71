export type { SfuConfig } from './config.js';
export { mediaCodecs } from './codecs.js';
export { Emitter } from './Emitter.js';
export { MediaError, type MediaErrorCode } from './errors.js';
export { routeMediasoupLogs, silentLogger, type Logger } from './logger.js';
export {
  MediaPeer,
  type ConsumerAppData,
  type Direction,
  type PauseReason,
  type ProducerAppData,
  type Source,
  type ViewportTile,
} from './MediaPeer.js';
export * as adaptation from './adaptation.js';
export { consumeProbe, produceProbe, PROBE_LABEL, type ProbeReceiver } from './probe.js';
export { LoudestVoices } from './LoudestVoices.js';
export { MediaRoom, type RoomCloseReason, type RoomLayout, type RoomRouter } from './MediaRoom.js';
export { PRODUCER_WEIGHT, WorkerLoad, workerForPeer, workerForRoom } from './placement.js';
export { sharedRtpCapabilities } from './sharedCapabilities.js';
export { Sfu } from './Sfu.js';
export { WorkerPool, type WorkerSlot } from './WorkerPool.js';
