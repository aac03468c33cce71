/**
 * The probe (docs/PROTOCOL.md, "Joining fast"): a data channel opened on the
 * send transport and received back on the receive transport, through the
 * person's own router on the server. mediasoup-client connects a transport
 * (ICE, DTLS) on its first produce, consume or data channel; nothing can be
 * produced or consumed before join, so the lobby opens the probe, and the
 * press of "Rejoindre" finds both transports connected: the others' video
 * is then one key frame away instead of a connect round trip, ICE checks and
 * a DTLS handshake.
 *
 * Nothing is sent on it. Closing the transports closes it.
 */
import type { DataConsumer, DataProducer, SctpStreamParameters, Transport } from 'mediasoup-client/types';
import { toError } from '../errors';
import type { SignalingChannel } from '../signaling/Connection';

/** The server's label for it (sfu/src/probe.ts). */
const PROBE_LABEL = 'chantier-probe';

export interface Probe {
  sending: DataProducer;
  receiving: DataConsumer;
}

/**
 * Opens the probe: the send transport connects while its data channel is
 * negotiated, the receive transport while the channel comes back on it.
 */
export async function openProbe(signaling: SignalingChannel, send: Transport, recv: Transport): Promise<Probe> {
  const answer = (
    { sctpStreamParameters }: { sctpStreamParameters: SctpStreamParameters },
    callback: (data: { id: string }) => void,
    errback: (error: Error) => void,
  ) => {
    const { streamId, ordered, maxPacketLifeTime, maxRetransmits } = sctpStreamParameters;
    if (streamId === undefined) {
      errback(new Error('the probe has no stream id'));
      return;
    }
    signaling
      .request('openProbe', {
        transportId: send.id,
        sctpStreamParameters: { streamId, ordered, maxPacketLifeTime, maxRetransmits },
      })
      .then(({ dataProducerId }) => callback({ id: dataProducerId }))
      .catch((error: unknown) => errback(toError(error)));
  };
  send.once('producedata', answer);
  let sending: DataProducer;
  try {
    sending = await send.produceData({ ordered: true, label: PROBE_LABEL });
  } finally {
    send.off('producedata', answer);
  }
  const back = await signaling.request('receiveProbe', { transportId: recv.id, dataProducerId: sending.id });
  const receiving = await recv.consumeData({
    id: back.dataConsumerId,
    dataProducerId: back.dataProducerId,
    sctpStreamParameters: back.sctpStreamParameters,
    label: back.label,
    protocol: back.protocol,
  });
  return { sending, receiving };
}
