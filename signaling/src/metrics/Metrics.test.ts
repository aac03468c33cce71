import { describe, expect, it } from 'vitest';
import type { Sfu } from '@chantier/sfu';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Session } from '../ws/Session.js';
import { parseExposition, sumOf } from './exposition.js';
import { Metrics } from './Metrics.js';

/** No worker, no room: what is observed is what this test checks (the gauges: metrics.int.test.ts). */
function emptyMetrics(sessions: Array<Pick<Session, 'state'>> = []): Metrics {
  const sfu = { pool: { slots: [] }, rooms: new Map() } as unknown as Sfu;
  const rooms = { rooms: new Map() } as unknown as RoomRegistry;
  return new Metrics(() => ({ sfu, rooms, sessions: new Set(sessions as Session[]) }));
}

async function scrape(metrics: Metrics) {
  return parseExposition(await metrics.metrics());
}

describe('Metrics', () => {
  it('times joins only, by outcome, in the buckets from 50 ms to 10 s', async () => {
    const m = emptyMetrics();
    m.observeAnswer('join', 0.03, undefined);
    m.observeAnswer('join', 0.7, undefined);
    m.observeAnswer('join', 12, 'ROOM_FULL');
    m.observeAnswer('hello', 0.01, undefined);
    const s = await scrape(m);
    expect(sumOf(s, 'chantier_join_duration_seconds_count')).toBe(3);
    expect(sumOf(s, 'chantier_join_duration_seconds_count', { outcome: 'ok' })).toBe(2);
    expect(sumOf(s, 'chantier_join_duration_seconds_bucket', { outcome: 'ok', le: '0.05' })).toBe(1);
    expect(sumOf(s, 'chantier_join_duration_seconds_bucket', { outcome: 'ok', le: '1' })).toBe(2);
    expect(sumOf(s, 'chantier_join_duration_seconds_bucket', { outcome: 'error', le: '10' })).toBe(0);
    expect(sumOf(s, 'chantier_join_duration_seconds_bucket', { outcome: 'error', le: '+Inf' })).toBe(1);
  });

  it('counts errors by request type and code, "unknown" for what was no request', async () => {
    const m = emptyMetrics();
    m.observeAnswer('moderate', 0.01, 'FORBIDDEN');
    m.observeAnswer('moderate', 0.01, 'FORBIDDEN');
    m.observeAnswer('moderate', 0.01, undefined);
    m.observeAnswer(undefined, 0, 'BAD_REQUEST');
    const s = await scrape(m);
    expect(sumOf(s, 'chantier_request_errors_total', { type: 'moderate', code: 'FORBIDDEN' })).toBe(2);
    expect(sumOf(s, 'chantier_request_errors_total', { type: 'unknown', code: 'BAD_REQUEST' })).toBe(1);
    expect(sumOf(s, 'chantier_request_errors_total')).toBe(3);
  });

  it('counts sessions by state (closed ones are not sessions), and serves the default process metrics', async () => {
    const s = await scrape(emptyMetrics([{ state: 'new' }, { state: 'joined' }, { state: 'joined' }, { state: 'closed' }]));
    expect(sumOf(s, 'chantier_ws_sessions', { state: 'new' })).toBe(1);
    expect(sumOf(s, 'chantier_ws_sessions', { state: 'ready' })).toBe(0);
    expect(sumOf(s, 'chantier_ws_sessions', { state: 'joined' })).toBe(2);
    expect(s.some((x) => x.name === 'process_cpu_seconds_total')).toBe(true);
    expect(s.some((x) => x.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });
});
