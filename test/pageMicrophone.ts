/**
 * A meeting page's microphone turned on or off from the test, as a person
 * muting at the device would (`track.enabled`: WebRTC then encodes silence
 * and Opus DTX sends a packet every 400 ms), without the client's mute
 * button, which would stop the producer. The page must expose its
 * RTCPeerConnections as `window.__pcs` (test/netlab/pageMedia.ts's KEEP_PEER_CONNECTIONS).
 */
import type { Page } from 'puppeteer-core';

/** Turns the page's microphone (its audio senders' tracks) on or off; returns Date.now() in the page just before. */
export function setMicEnabled(page: Page, enabled: boolean): Promise<number> {
  return page.evaluate((on: boolean) => {
    const at = Date.now();
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      for (const sender of pc.getSenders()) if (sender.track?.kind === 'audio') sender.track.enabled = on;
    }
    return at;
  }, enabled);
}
