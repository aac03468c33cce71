import { describe, expect, it, vi } from 'vitest';
import { credentialExpiry, isFresher, renewTransports, selectedLocalCandidateType, type RenewableTransport } from './iceServers';

const URLS = ['turn:turn.example.fr:3478?transport=udp'];
const creds = (expiry: number, user = 'u-42'): RTCIceServer[] => [{ urls: URLS, username: `${expiry}:${user}`, credential: 'x' }];

/** A getStats() report as Chromium gives it: transport → selected pair → local candidate. */
function chromiumReport(localType: string | null): RTCStatsReport {
  const entries: [string, Record<string, unknown>][] = [
    ['L1', { id: 'L1', type: 'local-candidate', candidateType: 'host' }],
    ['L2', { id: 'L2', type: 'local-candidate', candidateType: localType ?? 'host' }],
    ['R1', { id: 'R1', type: 'remote-candidate', candidateType: 'host' }],
    ['P1', { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'failed' }],
    ['P2', { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', state: 'succeeded', nominated: true }],
    ['T', { id: 'T', type: 'transport', ...(localType ? { selectedCandidatePairId: 'P2' } : {}) }],
  ];
  return new Map(entries) as unknown as RTCStatsReport;
}

class FakeTransport implements RenewableTransport {
  closed = false;
  readonly given: RTCIceServer[][] = [];
  constructor(
    readonly direction: 'send' | 'recv',
    private readonly localType: string | null,
  ) {}
  async updateIceServers({ iceServers }: { iceServers: RTCIceServer[] }): Promise<void> {
    this.given.push(iceServers);
  }
  async getStats(): Promise<RTCStatsReport> {
    return chromiumReport(this.localType);
  }
}

describe('credentialExpiry', () => {
  it('reads the expiry prefix of the usernames, the earliest one', () => {
    expect(credentialExpiry(creds(1_800_000_000))).toBe(1_800_000_000);
    expect(credentialExpiry([...creds(1_800_000_050), ...creds(1_800_000_000)])).toBe(1_800_000_000);
    expect(credentialExpiry([])).toBeUndefined();
    expect(credentialExpiry([{ urls: 'stun:stun.example.fr' }, { urls: URLS, username: 'alice', credential: 'x' }])).toBeUndefined();
  });
});

describe('isFresher', () => {
  it('keeps the newest credentials: a replayed older renewal does not override a resume\'s fresher ones', () => {
    const fromResume = creds(1_800_000_020);
    const replayed = creds(1_800_000_019);
    expect(isFresher(replayed, fromResume)).toBe(false);
    expect(isFresher(fromResume, fromResume)).toBe(false);
    expect(isFresher(creds(1_800_000_030), fromResume)).toBe(true);
    // Nothing held yet (no TURN at hello): any credential is news; nothing is never news.
    expect(isFresher(fromResume, [])).toBe(true);
    expect(isFresher([], fromResume)).toBe(false);
  });

  it('compares numbers, not strings', () => {
    expect(isFresher(creds(10_000_000_000), creds(9_999_999_999))).toBe(true);
  });
});

describe('selectedLocalCandidateType', () => {
  it('follows the transport\'s selected pair to its local candidate (Chromium)', () => {
    expect(selectedLocalCandidateType(chromiumReport('relay'))).toBe('relay');
    expect(selectedLocalCandidateType(chromiumReport('host'))).toBe('host');
    expect(selectedLocalCandidateType(chromiumReport(null))).toBeUndefined();
  });

  it('uses the pair marked selected when the transport names none (Firefox)', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['L', { type: 'local-candidate', candidateType: 'relay' }],
      ['P', { type: 'candidate-pair', localCandidateId: 'L', selected: true }],
    ]) as unknown as RTCStatsReport;
    expect(selectedLocalCandidateType(report)).toBe('relay');
    expect(selectedLocalCandidateType(new Map() as unknown as RTCStatsReport)).toBeUndefined();
  });
});

describe('renewTransports', () => {
  it('gives the new servers to every open transport and restarts only those through a relay', async () => {
    const relayed = new FakeTransport('send', 'relay');
    const direct = new FakeTransport('recv', 'host');
    const restart = vi.fn();
    const iceServers = creds(1_800_000_030);
    const restarted = await renewTransports([relayed, direct], iceServers, restart, vi.fn());
    expect(relayed.given).toEqual([iceServers]);
    expect(direct.given).toEqual([iceServers]);
    expect(restart.mock.calls).toEqual([[relayed]]);
    expect(restarted).toEqual([relayed]);
  });

  it('skips missing and closed transports, and a transport not connected yet is not restarted', async () => {
    const closed = new FakeTransport('send', 'relay');
    closed.closed = true;
    const connecting = new FakeTransport('recv', null);
    const restart = vi.fn();
    await renewTransports([null, closed, connecting], creds(1_800_000_030), restart, vi.fn());
    expect(closed.given).toEqual([]);
    expect(connecting.given).toHaveLength(1);
    expect(restart).not.toHaveBeenCalled();
  });

  it('a transport that fails is reported and does not stop the other', async () => {
    const broken = new FakeTransport('send', 'relay');
    broken.updateIceServers = () => Promise.reject(new Error('InvalidStateError'));
    const relayed = new FakeTransport('recv', 'relay');
    const restart = vi.fn();
    const onError = vi.fn();
    await renewTransports([broken, relayed], creds(1_800_000_030), restart, onError);
    expect(onError).toHaveBeenCalledWith(broken, expect.any(Error));
    expect(restart.mock.calls).toEqual([[relayed]]);
  });
});
