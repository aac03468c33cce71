/**
 * The probe: one SCTP data channel that a client opens on its send transport
 * and receives back on its receive transport, a loopback through its own
 * router. The server reads nothing from it. Opening it is what makes the
 * browser connect both transports (ICE, DTLS, SCTP) while the person is
 * still on the join screen (mediasoup-client connects a transport on its
 * first produce, consume, produceData or consumeData, and nothing can be
 * produced or consumed before join), so that the press of "Rejoindre" finds
 * them connected and the first frame is one key frame away
 * (docs/PROTOCOL.md, "Joining fast").
 *
 * One probe per peer: a second produceProbe is refused, and the probe can be
 * consumed only by its own peer's receive transport. It goes with the
 * transports (closing a transport closes its data producer and consumer).
 */
import type { DataConsumer, DataProducer, SctpStreamParameters } from 'mediasoup/types';
import { MediaError, withClientParams } from './errors.js';
import type { MediaPeer } from './MediaPeer.js';

/** Every probe has this label: the channel is ours, not an application's. */
export const PROBE_LABEL = 'chantier-probe';

const probes = new WeakMap<MediaPeer, DataProducer>();
const received = new WeakMap<DataProducer, DataConsumer>();
/** Peers with a produceProbe or consumeProbe under way: two at once would make two. */
const busy = new WeakSet<MediaPeer>();

async function once<T>(peer: MediaPeer, make: () => Promise<T>): Promise<T> {
  if (busy.has(peer)) throw new MediaError('BAD_PARAMS', 'the probe is being opened');
  busy.add(peer);
  try {
    return await make();
  } finally {
    busy.delete(peer);
  }
}

export interface ProbeReceiver {
  dataConsumerId: string;
  dataProducerId: string;
  sctpStreamParameters: SctpStreamParameters;
  label: string;
  protocol: string;
}

function transportOf(peer: MediaPeer, transportId: string, direction: 'send' | 'recv') {
  const transport = peer.transports.get(transportId);
  if (!transport) throw new MediaError('NOT_FOUND', 'no such transport');
  if (transport.appData.direction !== direction) {
    throw new MediaError('BAD_PARAMS', `the probe needs the ${direction} transport`);
  }
  return transport;
}

/** The probe's sending end, on `peer`'s send transport, as the browser's data channel describes it. */
export async function produceProbe(
  peer: MediaPeer,
  transportId: string,
  sctpStreamParameters: SctpStreamParameters,
): Promise<DataProducer> {
  const transport = transportOf(peer, transportId, 'send');
  if (probes.get(peer)?.closed === false) throw new MediaError('BAD_PARAMS', 'the probe is already open');
  const dataProducer = await once(peer, () =>
    withClientParams('produceData', () => transport.produceData({ sctpStreamParameters, label: PROBE_LABEL })),
  );
  if (peer.closed) {
    dataProducer.close();
    throw new MediaError('CLOSED', 'peer closed');
  }
  probes.set(peer, dataProducer);
  return dataProducer;
}

/** The probe's receiving end, on `peer`'s receive transport: only `peer`'s own probe. */
export async function consumeProbe(peer: MediaPeer, transportId: string, dataProducerId: string): Promise<ProbeReceiver> {
  const transport = transportOf(peer, transportId, 'recv');
  const probe = probes.get(peer);
  if (!probe || probe.closed || probe.id !== dataProducerId) throw new MediaError('NOT_FOUND', 'no such probe');
  if (received.get(probe)?.closed === false) throw new MediaError('BAD_PARAMS', 'the probe is already received');
  const dataConsumer: DataConsumer = await once(peer, () =>
    withClientParams('consumeData', () => transport.consumeData({ dataProducerId })),
  );
  if (peer.closed) {
    dataConsumer.close();
    throw new MediaError('CLOSED', 'peer closed');
  }
  received.set(probe, dataConsumer);
  return {
    dataConsumerId: dataConsumer.id,
    dataProducerId,
    sctpStreamParameters: dataConsumer.sctpStreamParameters!,
    label: dataConsumer.label,
    protocol: dataConsumer.protocol,
  };
}
