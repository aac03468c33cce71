import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabMeeting, type LabMeeting } from '../../test/netlab/labMeeting.js';
import { mediaRises, mediaFrom } from '../../test/receiveStats.js';
import type { MeetingPage } from '../../test/screenShare.js';

let m: LabMeeting;
let alice: MeetingPage;
let bruno: MeetingPage;
let fanny: MeetingPage;

beforeAll(async () => {
  m = await startLabMeeting({ projectId: 'chantier-firefox', roomId: 'mixte', labEngine: 'firefox', labDisplay: { width: 1280, height: 720 } });
}, 90_000);

afterAll(async () => {
  await m?.close();
});

describe('Firefox in a mixed meeting', () => {
  it('three meet: audio and video both ways', async () => {
    alice = await m.join(m.rootBrowser, 'Alice');
    bruno = await m.join(m.rootBrowser, 'Bruno');
    fanny = await m.join(m.labBrowser, 'Fanny');
    const zero = { frames: 0, audioPackets: 0 };
    await mediaRises(fanny.page, alice.peerId, zero, 'Fanny from Alice', 30_000);
    await mediaRises(fanny.page, bruno.peerId, zero, 'Fanny from Bruno', 30_000);
    await mediaRises(alice.page, fanny.peerId, zero, 'Alice from Fanny', 30_000);
    await mediaRises(bruno.page, fanny.peerId, zero, 'Bruno from Fanny', 30_000);
    console.log(await mediaFrom(alice.page, fanny.peerId));
  }, 120_000);
});
