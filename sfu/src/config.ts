import type { WorkerLogLevel } from 'mediasoup/types';

/** Everything the SFU needs to know, parsed by the caller (signaling/src/config.ts). */
export interface SfuConfig {
  /** mediasoup worker processes; one per core by default. */
  readonly numWorkers: number;
  /** IP address the WebRtcServers listen on ('0.0.0.0' for all interfaces). */
  readonly listenIp: string;
  /** Address given to browsers in ICE candidates (public IP or name); unset: listenIp. */
  readonly announcedAddress: string | undefined;
  /**
   * UDP and TCP port of worker 0's WebRtcServer; worker i listens on port + i.
   * 0 picks free ports (tests).
   */
  readonly port: number;
  /** Outgoing bitrate a new transport starts its bandwidth estimation at (bps). */
  readonly initialAvailableOutgoingBitrate: number;
  readonly workerLogLevel: WorkerLogLevel;
  /** Room size limit; a further join gets ROOM_FULL. */
  readonly maxPeersPerRoom: number;
  /**
   * Consumers (pipe ones included) a worker takes before a room on it spreads
   * new participants to other workers (placement.ts). mediasoup plans ~500.
   */
  readonly maxConsumersPerWorker: number;
  /**
   * SO_RCVBUF / SO_SNDBUF of each WebRtcServer socket (bytes). Every
   * transport of a worker shares its one UDP socket, so the kernel's default
   * (~208 KiB) overflows when the worker is briefly descheduled; the kernel
   * caps the value at net.core.rmem_max / wmem_max.
   */
  readonly socketBufferBytes: number;
  /** Voices forwarded to audio-only and weak-link listeners: the N loudest (LoudestVoices.ts). */
  readonly forwardedVoices: number;
}
