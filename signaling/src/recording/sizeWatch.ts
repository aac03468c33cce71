/**
 * Watches the picture size of a recorded video track that is not simulcast
 * (a screen share, a camera sent as one encoding), whose resolution changes
 * without any layer change mediasoup would report: the server's own consumer
 * of it on a DirectTransport of the room's home router hands each RTP packet
 * to Node, where the key frames' sizes are read (frameSize.ts). A change of
 * size calls `onChange` (the TrackRecorder starts a new segment).
 *
 * Why not the recorder's consumer's `keyframe` trace: it carries the
 * packet's header fields, not its payload. Why not FFmpeg: it copies
 * without decoding and reports no size change. The cost is the track's
 * packets crossing from the worker to Node (one screen share, a few hundred
 * packets a second at most); only the first packet of a frame is parsed
 * past its first byte.
 */
import type { DirectTransport, Producer, RtpCapabilities } from 'mediasoup/types';
import type { FastifyBaseLogger } from 'fastify';
import type { MediaRoom } from '@chantier/sfu';
import { frameSize, sizeStep, type FrameSize } from './frameSize.js';

export interface SizeWatch {
  /** The size of the last key frame seen, if any. */
  readonly size: FrameSize | undefined;
  close(): void;
}

/** Starts watching `producer` (already consumable on the home router); `onChange` gets each new size after the first. */
export async function watchFrameSize(options: {
  room: MediaRoom;
  producer: Producer;
  rtpCapabilities: RtpCapabilities;
  log: FastifyBaseLogger;
  onChange: (size: FrameSize, previous: FrameSize) => void;
}): Promise<SizeWatch> {
  const { room, producer, log } = options;
  const transport: DirectTransport = await room.router.createDirectTransport();
  let size: FrameSize | undefined;
  try {
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: options.rtpCapabilities, appData: { recording: true } });
    const mimeType = consumer.rtpParameters.codecs[0]!.mimeType;
    consumer.on('rtp', (packet) => {
      const seen = frameSize(mimeType, packet);
      if (!seen) return;
      const previous = size;
      const step = sizeStep(previous, seen);
      size = step.size;
      if (step.newSegment && previous) {
        log.info({ producerId: producer.id, from: previous, to: seen }, 'recording: the picture changed size');
        options.onChange(seen, previous);
      }
    });
  } catch (error) {
    transport.close();
    throw error;
  }
  return {
    get size() {
      return size;
    },
    close: () => transport.close(),
  };
}
