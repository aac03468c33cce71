/**
 * The SFU's integration tests against real workers: their configuration and
 * a participant joining a room (send and receive transports, the send one
 * connected), without signaling.
 */
import type { SfuConfig } from '../sfu/src/config.js';
import type { MediaRoom } from '../sfu/src/MediaRoom.js';
import { deviceRtpCapabilities, dtlsParameters } from './fakeMedia.js';

/** Two workers on loopback, free ports; `overrides` for what a test is about. */
export function sfuTestConfig(overrides: Partial<SfuConfig> = {}): SfuConfig {
  return {
    numWorkers: 2,
    listenIp: '127.0.0.1',
    announcedAddress: undefined,
    port: 0,
    initialAvailableOutgoingBitrate: 1_000_000,
    workerLogLevel: 'error',
    maxPeersPerRoom: 10,
    maxConsumersPerWorker: 500,
    // Below any kernel's cap (net.core.rmem_max ≥ 208 KiB), so the grant is exact.
    socketBufferBytes: 160 * 1024,
    forwardedVoices: 3,
    ...overrides,
  };
}

/** A participant in `room` with a connected send transport and a receive transport. */
export async function joinRoom(room: MediaRoom, peerId: string) {
  const peer = room.createPeer(peerId);
  peer.setRtpCapabilities(deviceRtpCapabilities(room.rtpCapabilities));
  const send = await peer.createTransport('send');
  await peer.connectTransport(send.transportId, dtlsParameters());
  const recv = await peer.createTransport('recv');
  return { peer, send, recv };
}
