import { describe, expect, it } from 'vitest';
import { setDegradationPreference, type SenderLike } from './senderParameters';

/** Keeps what is set, like Chromium; or drops the field, like a browser without it. */
function fakeSender(supported: boolean): SenderLike & { sets: number } {
  let stored: RTCRtpSendParameters = { encodings: [{ active: true }], transactionId: 't1', codecs: [], headerExtensions: [], rtcp: {} };
  return {
    sets: 0,
    getParameters: () => structuredClone(stored),
    async setParameters(parameters: RTCRtpSendParameters) {
      this.sets++;
      const { degradationPreference, ...rest } = parameters;
      stored = supported ? { ...rest, ...(degradationPreference ? { degradationPreference } : {}) } : rest;
    },
  };
}

describe('setDegradationPreference', () => {
  it('sets the preference and keeps the encodings as they were', async () => {
    const sender = fakeSender(true);
    await expect(setDegradationPreference(sender, 'maintain-resolution')).resolves.toBe('maintain-resolution');
    expect(sender.getParameters().encodings).toEqual([{ active: true }]);
    expect(sender.sets).toBe(1);
  });

  it('reports what the browser kept when it ignores the setting', async () => {
    await expect(setDegradationPreference(fakeSender(false), 'maintain-resolution')).resolves.toBeUndefined();
  });
});
