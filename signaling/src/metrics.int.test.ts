/**
 * GET /metrics through the real server (real Redis, two real mediasoup
 * workers): the numbers move with what the server really holds as peers
 * join, send, receive, are refused and leave, and only the bearer of
 * METRICS_TOKEN reads them. No packets flow here (fakeMedia): the forwarded
 * bytes are the browser test's (client/e2e/metrics.e2e.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../test/app.js';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { parseExposition, sumOf, type PromSample } from './metrics/exposition.js';
import { ErrorCode, PROTOCOL_VERSION, type ResponseData, type Role } from './protocol/index.js';

const PROJECT = 'p1';
const METRICS_TOKEN = randomBytes(24).toString('base64url');

const { app: t, clients } = useTestApp({ METRICS_TOKEN, MEDIASOUP_WORKERS: '2', GUEST_LOBBY: 'off' });

async function scrape(token: string | undefined = METRICS_TOKEN): Promise<PromSample[]> {
  const response = await fetch(`${t.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** Scrapes until `condition` holds (rooms close a little after their last peer leaves), 10 s at most. */
async function scrapeUntil(condition: (s: PromSample[]) => boolean, what: string): Promise<PromSample[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = await scrape();
    if (condition(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Joined {
  c: TestClient;
  hello: ResponseData<'hello'>;
  peerId: string;
}

async function join(roomId: string, role: Role): Promise<Joined> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const token = await t.token({ projectId: PROJECT, role });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return { c, hello, peerId: hello.peerId };
}

/** Per worker (its index), the value of a gauge labelled by worker and pid. */
function byWorker(samples: PromSample[], name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples.filter((x) => x.name === name)) out[s.labels.worker!] = s.value;
  return out;
}

const MEDIA_GAUGES = ['chantier_rooms', 'chantier_peers', 'chantier_transports', 'chantier_producers', 'chantier_consumers'];

describe('GET /metrics', () => {
  it('is refused without the metrics token, with a wrong one and with a person\'s token', async () => {
    const owner = await t.token({ projectId: PROJECT, role: 'owner' });
    const wrongSameLength = METRICS_TOKEN.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const headers of [
      {},
      { authorization: `Bearer ${wrongSameLength}` },
      { authorization: `Bearer ${METRICS_TOKEN}x` },
      { authorization: `Bearer ${owner}` },
      { authorization: METRICS_TOKEN },
    ] as Record<string, string>[]) {
      const response = await fetch(`${t.url}/metrics`, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.UNAUTHORIZED);
    }
    const samples = await scrape();
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });

  it('labels every live worker by index and pid, with its CPU time as a counter', async () => {
    const slots = t.app.sfu.pool.slots;
    expect(slots).toHaveLength(2);
    const first = await scrape();
    for (const name of [...MEDIA_GAUGES, 'chantier_worker_cpu_seconds_total', 'chantier_forwarded_bytes_total', 'chantier_forwarded_bitrate_bps']) {
      const series = first.filter((s) => s.name === name).map((s) => s.labels);
      expect(series, name).toEqual(expect.arrayContaining(slots.map((s) => ({ worker: String(s.index), pid: String(s.worker.pid) }))));
      expect(series, name).toHaveLength(2);
    }
    const second = await scrape();
    for (const slot of slots) {
      const labels = { worker: String(slot.index), pid: String(slot.worker.pid) };
      const before = sumOf(first, 'chantier_worker_cpu_seconds_total', labels);
      expect(before).toBeGreaterThan(0);
      expect(sumOf(second, 'chantier_worker_cpu_seconds_total', labels)).toBeGreaterThanOrEqual(before);
    }
  });

  it('follows rooms, peers, transports, producers and consumers per worker, joins, errors and sessions', async () => {
    const before = await scrapeUntil((s) => MEDIA_GAUGES.every((name) => sumOf(s, name) === 0), 'an idle node');
    const joinsBefore = sumOf(before, 'chantier_join_duration_seconds_count', { outcome: 'ok' });
    const forbiddenBefore = sumOf(before, 'chantier_request_errors_total', { type: 'moderate', code: 'FORBIDDEN' });
    const badBefore = sumOf(before, 'chantier_request_errors_total', { type: 'unknown', code: 'BAD_REQUEST' });

    const roomA = `site-a-${randomBytes(3).toString('hex')}`;
    const roomB = `site-b-${randomBytes(3).toString('hex')}`;
    const owner = await join(roomA, 'owner');
    const member = await join(roomA, 'member');
    const other = await join(roomB, 'member');
    const workerA = String(t.app.rooms.get(PROJECT, roomA)!.media.slot.index);
    const workerB = String(t.app.rooms.get(PROJECT, roomB)!.media.slot.index);
    // Least-loaded placement: the second meeting is on the other worker.
    expect(workerB).not.toBe(workerA);

    // The owner sends a microphone and a camera; the member receives both.
    const send = await owner.c.request('createTransport', { direction: 'send' });
    await owner.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
    const mic = await owner.c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioRtpParameters() });
    const cam = await owner.c.request('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: videoRtpParameters() });
    await member.c.request('createTransport', { direction: 'recv' });
    await member.c.request('consume', { producerId: mic.producerId });
    await member.c.request('consume', { producerId: cam.producerId });

    // Refused: a member moderating, and a frame that is no request.
    expect((await member.c.expectError(member.c.request('moderate', { peerId: owner.peerId, action: 'mute' }))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await other.c.sendRaw('{"kind":"req"')).code).toBe(ErrorCode.BAD_REQUEST);

    const during = await scrape();
    const expected = (a: number, b: number) => ({ [workerA]: a, [workerB]: b });
    expect(byWorker(during, 'chantier_rooms')).toEqual(expected(1, 1));
    expect(byWorker(during, 'chantier_peers')).toEqual(expected(2, 1));
    expect(byWorker(during, 'chantier_transports')).toEqual(expected(2, 0));
    expect(byWorker(during, 'chantier_producers')).toEqual(expected(2, 0));
    expect(byWorker(during, 'chantier_consumers')).toEqual(expected(2, 0));
    // The server's own view, for the record: the gauges are read from it.
    const media = t.app.rooms.get(PROJECT, roomA)!.media;
    expect([...media.peers.values()].reduce((n, p) => n + p.consumers.size, 0)).toBe(2);

    expect(sumOf(during, 'chantier_join_duration_seconds_count', { outcome: 'ok' })).toBe(joinsBefore + 3);
    expect(sumOf(during, 'chantier_join_duration_seconds_bucket', { outcome: 'ok', le: '+Inf' })).toBe(joinsBefore + 3);
    expect(sumOf(during, 'chantier_join_duration_seconds_sum', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sumOf(during, 'chantier_request_errors_total', { type: 'moderate', code: 'FORBIDDEN' })).toBe(forbiddenBefore + 1);
    expect(sumOf(during, 'chantier_request_errors_total', { type: 'unknown', code: 'BAD_REQUEST' })).toBe(badBefore + 1);
    expect(sumOf(during, 'chantier_ws_sessions', { state: 'joined' })).toBe(3);
    // No packets flow without a browser: nothing forwarded, and never negative.
    expect(sumOf(during, 'chantier_forwarded_bytes_total')).toBeGreaterThanOrEqual(0);

    // A refused join is timed too, as an error.
    const guest = await TestClient.connect(t.url);
    clients.push(guest);
    const token = await t.token({ projectId: PROJECT, role: 'member' });
    const hello = await guest.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: roomA });
    const caps = deviceRtpCapabilities(hello.routerRtpCapabilities!);
    await guest.request('join', { rtpCapabilities: caps });
    expect((await guest.expectError(guest.request('join', { rtpCapabilities: caps }))).code).toBe(ErrorCode.ALREADY_JOINED);
    const refused = await scrape();
    expect(sumOf(refused, 'chantier_join_duration_seconds_count', { outcome: 'ok' })).toBe(joinsBefore + 4);
    expect(sumOf(refused, 'chantier_join_duration_seconds_count', { outcome: 'error' })).toBe(
      sumOf(before, 'chantier_join_duration_seconds_count', { outcome: 'error' }) + 1,
    );
    expect(sumOf(refused, 'chantier_request_errors_total', { type: 'join', code: 'ALREADY_JOINED' })).toBe(
      sumOf(before, 'chantier_request_errors_total', { type: 'join', code: 'ALREADY_JOINED' }) + 1,
    );

    // Everyone leaves: back to nothing, the counters keep what they counted.
    for (const c of [owner.c, member.c, other.c, guest]) {
      await c.request('leave', {});
      c.close();
    }
    const after = await scrapeUntil(
      (s) => MEDIA_GAUGES.every((name) => sumOf(s, name) === 0) && sumOf(s, 'chantier_ws_sessions') === 0,
      'every gauge back to 0',
    );
    expect(Object.keys(byWorker(after, 'chantier_rooms')).sort()).toEqual([workerA, workerB].sort());
    expect(sumOf(after, 'chantier_join_duration_seconds_count', { outcome: 'ok' })).toBe(joinsBefore + 4);
    expect(sumOf(after, 'chantier_request_errors_total', { type: 'moderate', code: 'FORBIDDEN' })).toBe(forbiddenBefore + 1);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('answers NOT_FOUND to everyone: metrics are off', async () => {
    const off = await startTestApp();
    try {
      const owner = await off.token({ projectId: PROJECT, role: 'owner' });
      for (const headers of [{}, { authorization: `Bearer ${owner}` }, { authorization: `Bearer ${METRICS_TOKEN}` }] as Record<string, string>[]) {
        const response = await fetch(`${off.url}/metrics`, { headers });
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.NOT_FOUND);
      }
    } finally {
      await off.close();
    }
  });
});
