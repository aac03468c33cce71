/**
 * The chain from the sharer's click to the weak viewer's still picture,
 * step by step (issue 21): the signaling messages each page sent and got
 * (its WebSocket frames, read through the DevTools protocol), the still's
 * upload and fetch (each page's Resource Timing), the sharer's console line
 * of each still sent. Times are ms from the click, on the one clock of the
 * machine (both browsers run on it); a WebSocket frame is stamped when the
 * bench hears of it (a few ms late on a loaded host).
 */
import type { Page } from 'puppeteer-core';

export interface StillPhase {
  /** What happened, in the order of the chain. */
  step: string;
  /** ms from the click; null when it did not happen. */
  atMs: number | null;
}

interface Frame {
  kind?: string;
  id?: number;
  type?: string;
  ok?: boolean;
  data?: Record<string, unknown>;
}

/** The first time each named step was seen, epoch ms. */
type Marks = Map<string, number>;

function mark(marks: Marks, step: string, at = Date.now()): void {
  if (!marks.has(step)) marks.set(step, at);
}

/** Follows a page's signaling frames; `onFrame` names the steps. */
async function watchFrames(page: Page, onFrame: (frame: Frame, sent: boolean) => void): Promise<() => Promise<void>> {
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  const read = (sent: boolean) => (event: { response: { payloadData: string } }) => {
    try {
      onFrame(JSON.parse(event.response.payloadData) as Frame, sent);
    } catch {
      // not one of ours (binary, or not JSON)
    }
  };
  cdp.on('Network.webSocketFrameSent', read(true));
  cdp.on('Network.webSocketFrameReceived', read(false));
  return () => cdp.detach().catch(() => {});
}

/** Resource Timing of the still route on a page, epoch ms (PUT on the sharer's, GET on the viewer's). */
async function stillRequests(page: Page): Promise<Array<Record<string, number>>> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /\/screens\/[^/]+\/still(\?|$)/.test(e.name)) // the GET made as the share begins has ?wait=true
      // No named function in here (not even an arrow kept in a const): tsx's keepNames would wrap it in __name, which the page lacks.
      .map((e) => {
        const t = e as PerformanceResourceTiming;
        const o = performance.timeOrigin;
        return {
          start: o + t.startTime,
          connectStart: t.connectStart > t.fetchStart ? o + t.connectStart : 0,
          connectEnd: t.connectEnd > t.fetchStart ? o + t.connectEnd : 0,
          requestStart: t.requestStart > 0 ? o + t.requestStart : 0,
          responseStart: t.responseStart > 0 ? o + t.responseStart : 0,
          responseEnd: o + t.responseEnd,
          bytes: t.encodedBodySize,
        };
      }),
  );
}

export interface StillTimeline {
  /** Call once the run is over: the phases, ms from the click. */
  finish(clicked: number): Promise<StillPhase[]>;
}

/** Starts following both pages; call before the click. */
export async function followStillChain(sharer: Page, viewer: Page): Promise<StillTimeline> {
  const marks: Marks = new Map();
  let produceId: number | null = null;
  let consumeId: number | null = null;
  const stopSharer = await watchFrames(sharer, (frame, sent) => {
    if (sent && frame.kind === 'req' && frame.type === 'produce' && JSON.stringify(frame.data ?? {}).includes('"screen"') && produceId === null) {
      produceId = frame.id ?? null;
      mark(marks, 'sharer: produce asked');
    }
    if (!sent && frame.kind === 'res' && frame.id === produceId && produceId !== null) mark(marks, 'sharer: screen produced');
    if (!sent && frame.kind === 'ntf' && frame.type === 'screenStillWanted' && frame.data?.wanted === true) mark(marks, 'sharer: screenStillWanted');
  });
  const stopViewer = await watchFrames(viewer, (frame, sent) => {
    if (!sent && frame.kind === 'ntf' && frame.type === 'producerAdded' && JSON.stringify(frame.data ?? {}).includes('"screen"')) mark(marks, 'viewer: producerAdded');
    if (sent && frame.kind === 'req' && frame.type === 'consume' && consumeId === null && marks.has('viewer: producerAdded')) {
      consumeId = frame.id ?? null;
      mark(marks, 'viewer: consume asked');
    }
    if (!sent && frame.kind === 'res' && frame.id === consumeId && consumeId !== null) mark(marks, 'viewer: consumer made');
    if (!sent && frame.kind === 'ntf' && frame.type === 'screenStill' && typeof frame.data?.version === 'number') mark(marks, 'viewer: screenStill');
  });
  // The sharer's line of each still sent (StillSender.ts): "still sent: N bytes (...)".
  const stillLines: Array<{ at: number; text: string }> = [];
  const onConsole = (message: { text(): string }): void => {
    if (message.text().includes('still sent')) stillLines.push({ at: Date.now(), text: message.text() });
  };
  sharer.on('console', onConsole);
  return {
    async finish(clicked) {
      sharer.off('console', onConsole);
      await Promise.all([stopSharer(), stopViewer()]);
      const [put] = await stillRequests(sharer).catch(() => []);
      const fetched = await stillRequests(viewer).catch(() => []);
      // A picture is KBs; the viewer's warm-up HEAD (StillReceiver.prepare) has no body.
      const get = fetched.find((r) => (r.bytes ?? 0) > 1_000);
      const head = fetched.find((r) => r.bytes === 0);
      if (head) {
        if (head.connectStart) mark(marks, 'viewer: warm-up HEAD connects', head.connectStart);
        mark(marks, 'viewer: warm-up HEAD answered', head.responseEnd);
      }
      if (put) {
        mark(marks, 'sharer: still encoded, PUT starts', put.start);
        mark(marks, 'sharer: PUT answered', put.responseEnd);
      }
      if (get) {
        mark(marks, 'viewer: GET starts', get.start);
        if (get.connectStart) mark(marks, 'viewer: GET connects (new connection)', get.connectStart);
        if (get.connectEnd) mark(marks, 'viewer: GET connected', get.connectEnd);
        mark(marks, 'viewer: GET first byte', get.responseStart);
        mark(marks, 'viewer: GET last byte', get.responseEnd);
      }
      const line = stillLines[0];
      if (line) mark(marks, `sharer: console "${line.text.replace(/^\[chantier:still\] /, '')}"`, line.at);
      return [...marks]
        .map(([step, at]) => ({ step, atMs: Math.round(at - clicked) }))
        .sort((a, b) => a.atMs - b.atMs);
    },
  };
}

/** The phases as a table, with the gap from the step before. */
export function phaseTable(phases: StillPhase[], stageMs: number | null): string {
  const rows = [...phases, { step: 'viewer: stage shows the picture', atMs: stageMs }];
  let previous = 0;
  return rows
    .map(({ step, atMs }) => {
      if (atMs === null) return `  ${step.padEnd(58)}      never`;
      const line = `  ${step.padEnd(58)} ${String(atMs).padStart(6)} ms  (+${atMs - previous})`;
      previous = atMs;
      return line;
    })
    .join('\n');
}
