export type { SfuConfig } from './config.js';
export { mediaCodecs } from './codecs.js';
export { Emitter } from './Emitter.js';
export { MediaError, type MediaErrorCode } from './errors.js';
export { silentLogger, type Logger } from './logger.js';
export { MediaPeer, type ConsumerAppData, type Direction, type ProducerAppData, type Source } from './MediaPeer.js';
export { MediaRoom, type RoomCloseReason } from './MediaRoom.js';
export { Sfu } from './Sfu.js';
export { WorkerPool, type WorkerSlot } from './WorkerPool.js';
