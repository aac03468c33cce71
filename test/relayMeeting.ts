/**
 * Shared by the TURN browser tests: a page limited to relay candidates (as
 * behind a firewall that lets nothing but TURN through) whose peer
 * connections are kept for inspection, and "media rising" from one peer as
 * the receiving page counts it; when no media comes, the message says at
 * which step (test/iceDiagnosis.ts) on a page that keeps its connections.
 */
import type { Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { describeIce, diagnoseIce, RECORD_ICE_EVENTS } from './iceDiagnosis.js';
import { KEEP_PEER_CONNECTIONS, RELAY_ONLY } from './netlab/pageMedia.js';

/**
 * Page scripts, in this order: every RTCPeerConnection relay-only and kept in window.__pcs,
 * its ICE errors and state changes recorded.
 */
export const RELAY_ONLY_KEPT = [KEEP_PEER_CONNECTIONS, RELAY_ONLY, RECORD_ICE_EVENTS] as const;

export async function makeRelayOnly(page: Page): Promise<void> {
  for (const script of RELAY_ONLY_KEPT) await page.evaluateOnNewDocument(script);
}

export interface Flow {
  frames: number;
  audioPackets: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Video frames decoded and audio packets received from `peerId`. */
export async function flowFrom(page: Page, peerId: string): Promise<Flow> {
  const stats = await page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as { peerId: string; kind: string; framesDecoded: number; packetsReceived: number }[];
  });
  const flow = { frames: 0, audioPackets: 0 };
  for (const s of stats.filter((x) => x.peerId === peerId)) {
    if (s.kind === 'video') flow.frames += s.framesDecoded;
    else flow.audioPackets += s.packetsReceived;
  }
  return flow;
}

/** Waits until video and audio from `peerId` have started (30 s at most), then until both have risen (10 s). */
export async function expectMediaRising(page: Page, peerId: string, what: string): Promise<void> {
  let first: Flow;
  const deadline = Date.now() + 30_000;
  for (;;) {
    first = await flowFrom(page, peerId);
    if (first.frames > 0 && first.audioPackets > 0) break;
    if (Date.now() > deadline) {
      const diagnosis = await diagnoseIce(page).catch((error: unknown) => `(no diagnosis: ${String(error)})`);
      const explained = diagnosis === null ? '' : `\n${typeof diagnosis === 'string' ? diagnosis : describeIce(diagnosis)}`;
      throw new Error(`${what}: no media: ${JSON.stringify(first)}${explained}`);
    }
    await sleep(250);
  }
  let second = first;
  const until = Date.now() + 10_000;
  do {
    await sleep(500);
    second = await flowFrom(page, peerId);
  } while (!(second.frames > first.frames && second.audioPackets > first.audioPackets) && Date.now() < until);
  expect(second.frames, `${what}: video frames decoded`).toBeGreaterThan(first.frames);
  expect(second.audioPackets, `${what}: audio packets received`).toBeGreaterThan(first.audioPackets);
}
