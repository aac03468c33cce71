/**
 * Settings of a producer's RTCRtpSender that mediasoup-client's produce
 * options do not carry. Applied once the producer exists (its `rtpSender`).
 */

export type SenderLike = Pick<RTCRtpSender, 'getParameters' | 'setParameters'>;

/**
 * What the encoder gives up first when bandwidth or CPU is short. Read back
 * afterwards: a browser without the setting ignores it silently, and the
 * caller logs which one it got. get and set run in the same task, as the
 * transaction id of the parameters requires.
 */
export async function setDegradationPreference(
  sender: SenderLike,
  preference: RTCDegradationPreference,
): Promise<RTCDegradationPreference | undefined> {
  const parameters = sender.getParameters();
  parameters.degradationPreference = preference;
  await sender.setParameters(parameters);
  return sender.getParameters().degradationPreference;
}
