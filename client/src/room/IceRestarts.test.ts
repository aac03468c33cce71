import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Transport } from 'mediasoup-client/types';
import type { SignalingChannel } from '../signaling/Connection';
import { SignalingError } from '../signaling/SignalingError';
import { IceRestarts, NEVER_CONNECTED_MS, RESTART_BACKOFF_FIRST_MS, RESTART_BACKOFF_MAX_MS } from './IceRestarts';

/** A getStats() report as Firefox gives it: the selected pair, and its local candidate of `localType`. */
function report(localType: string): RTCStatsReport {
  return new Map<string, Record<string, unknown>>([
    ['P', { id: 'P', type: 'candidate-pair', selected: true, localCandidateId: 'L' }],
    ['L', { id: 'L', type: 'local-candidate', candidateType: localType }],
  ]) as unknown as RTCStatsReport;
}

class FakeTransport {
  closed = false;
  connectionState: Transport['connectionState'] = 'connected';
  readonly restartIce = vi.fn(async (_: { iceParameters: unknown }) => undefined);
  readonly updateIceServers = vi.fn(async (_: { iceServers: RTCIceServer[] }) => undefined);
  constructor(
    readonly id: string,
    readonly direction: 'send' | 'recv',
    private readonly localType = 'relay',
  ) {}
  async getStats(): Promise<RTCStatsReport> {
    return report(this.localType);
  }
  get asTransport(): Transport {
    return this as unknown as Transport;
  }
}

/** A signaling channel whose `restartIce` requests the test answers one by one, in order. */
function fakeSignaling() {
  const asked: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const request = vi.fn((type: string, data: { transportId: string }) => {
    asked.push(`${type} ${data.transportId}`);
    return new Promise((resolve, reject) => pending.push({ resolve: () => resolve({ iceParameters: {} }), reject }));
  });
  return { channel: { request } as unknown as SignalingChannel, asked, pending };
}

function iceRestarts(signaling: SignalingChannel, transports: FakeTransport[]) {
  const gone = vi.fn();
  const ice = new IceRestarts({ signaling, transports: () => transports.map((t) => t.asTransport), transportGone: gone });
  return { ice, gone };
}

describe('IceRestarts', () => {
  afterEach(() => vi.useRealTimers());

  it('restarts a failed transport once at a time, and again after it when new credentials came meanwhile', async () => {
    const signaling = fakeSignaling();
    const send = new FakeTransport('t-send', 'send');
    const { ice } = iceRestarts(signaling.channel, [send]);

    send.connectionState = 'failed';
    ice.onConnectionState(send.asTransport, 'failed');
    ice.onConnectionState(send.asTransport, 'failed'); // still in flight: not asked twice
    await ice.renew([{ urls: 'turn:turn.example.fr', username: '1800000000:u', credential: 'x' }]);
    expect(send.updateIceServers).toHaveBeenCalledTimes(1);
    expect(signaling.asked).toEqual(['restartIce t-send']);

    signaling.pending[0]!.resolve();
    await vi.waitFor(() => expect(signaling.asked).toEqual(['restartIce t-send', 'restartIce t-send']));
    expect(send.restartIce).toHaveBeenCalledTimes(1);
    signaling.pending[1]!.resolve();
    await vi.waitFor(() => expect(send.restartIce).toHaveBeenCalledTimes(2));
    expect(signaling.asked).toHaveLength(2);
  });

  it('restarts a disconnected transport only if it is not back after the grace', () => {
    vi.useFakeTimers();
    const signaling = fakeSignaling();
    const send = new FakeTransport('t-send', 'send');
    const recv = new FakeTransport('t-recv', 'recv');
    const { ice } = iceRestarts(signaling.channel, [send, recv]);

    for (const t of [send, recv]) {
      t.connectionState = 'disconnected';
      ice.onConnectionState(t.asTransport, 'disconnected');
    }
    expect(signaling.asked).toEqual([]);
    send.connectionState = 'connected'; // the same path came back
    vi.runOnlyPendingTimers();
    expect(signaling.asked).toEqual(['restartIce t-recv']);
  });

  it('after a resume, restarts the failed transport now and the others not connected later; close drops those', () => {
    vi.useFakeTimers();
    const signaling = fakeSignaling();
    const send = new FakeTransport('t-send', 'send');
    const recv = new FakeTransport('t-recv', 'recv');
    const { ice } = iceRestarts(signaling.channel, [send, recv]);

    send.connectionState = 'failed';
    recv.connectionState = 'disconnected';
    ice.afterResume();
    expect(signaling.asked).toEqual(['restartIce t-send']);
    expect(vi.getTimerCount()).toBe(1); // the receive transport's grace
    ice.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.runOnlyPendingTimers();
    expect(signaling.asked).toEqual(['restartIce t-send']);
  });

  it('tells the session a transport the server no longer knows is gone, unless closed meanwhile', async () => {
    const signaling = fakeSignaling();
    const send = new FakeTransport('t-send', 'send');
    const recv = new FakeTransport('t-recv', 'recv');
    const { ice, gone } = iceRestarts(signaling.channel, [send, recv]);

    ice.onConnectionState(send.asTransport, 'failed');
    ice.onConnectionState(recv.asTransport, 'failed');
    signaling.pending[0]!.reject(new SignalingError('NOT_FOUND', 'no such transport'));
    await vi.waitFor(() => expect(gone).toHaveBeenCalledTimes(1));

    ice.close();
    signaling.pending[1]!.reject(new SignalingError('NOT_FOUND', 'no such transport'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(gone).toHaveBeenCalledTimes(1);
  });

  it('waits 1, 2, 4… s before restarting a transport that fails again without connecting, and starts over once it connects', async () => {
    vi.useFakeTimers();
    const signaling = fakeSignaling();
    const send = new FakeTransport('t-send', 'send');
    const { ice } = iceRestarts(signaling.channel, [send]);
    send.connectionState = 'failed';
    const failAgain = async (): Promise<void> => {
      signaling.pending.at(-1)!.resolve();
      await vi.advanceTimersByTimeAsync(0);
      ice.onConnectionState(send.asTransport, 'failed');
    };
    ice.onConnectionState(send.asTransport, 'failed');
    expect(signaling.asked).toHaveLength(1); // the first at once
    for (const wait of [RESTART_BACKOFF_FIRST_MS, 2 * RESTART_BACKOFF_FIRST_MS, 4 * RESTART_BACKOFF_FIRST_MS]) {
      const asked = signaling.asked.length;
      await failAgain();
      ice.onConnectionState(send.asTransport, 'failed'); // the same failure told twice: one restart
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(signaling.asked).toHaveLength(asked);
      await vi.advanceTimersByTimeAsync(1);
      expect(signaling.asked).toHaveLength(asked + 1);
    }
    // Capped.
    for (let i = 0; i < 6; i++) {
      await failAgain();
      await vi.advanceTimersByTimeAsync(RESTART_BACKOFF_MAX_MS);
    }
    const asked = signaling.asked.length;
    await failAgain();
    await vi.advanceTimersByTimeAsync(RESTART_BACKOFF_MAX_MS - 1);
    expect(signaling.asked).toHaveLength(asked);
    await vi.advanceTimersByTimeAsync(1);
    expect(signaling.asked).toHaveLength(asked + 1);
    // Connected, then failed: restarted at once again.
    signaling.pending.at(-1)!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    ice.onConnectionState(send.asTransport, 'connected');
    ice.onConnectionState(send.asTransport, 'failed');
    expect(signaling.asked).toHaveLength(asked + 2);
    ice.close();
  });

  describe('a transport that never connects (no relay candidate: ICE never says failed)', () => {
    it('is restarted once the bound has passed since it began connecting, and each time after, backed off until it connects', async () => {
      vi.useFakeTimers();
      const signaling = fakeSignaling();
      const recv = new FakeTransport('t-recv', 'recv');
      recv.connectionState = 'new';
      const { ice } = iceRestarts(signaling.channel, [recv]);
      const answer = async (): Promise<void> => {
        signaling.pending.at(-1)!.resolve();
        await vi.advanceTimersByTimeAsync(0);
      };

      ice.onConnecting(recv.asTransport);
      recv.connectionState = 'connecting';
      ice.onConnectionState(recv.asTransport, 'connecting');
      await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS - 1);
      expect(signaling.asked).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(signaling.asked).toEqual(['restartIce t-recv']);
      await answer();
      expect(recv.restartIce).toHaveBeenCalledTimes(1);

      // Still not connected a bound after each restart: the next one waits 1, 2, 4 s more.
      for (const wait of [RESTART_BACKOFF_FIRST_MS, 2 * RESTART_BACKOFF_FIRST_MS, 4 * RESTART_BACKOFF_FIRST_MS]) {
        const asked = signaling.asked.length;
        await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS + wait - 1);
        expect(signaling.asked).toHaveLength(asked);
        await vi.advanceTimersByTimeAsync(1);
        expect(signaling.asked).toHaveLength(asked + 1);
        await answer();
      }
      // A failure meanwhile counts with the others: not restarted at once.
      recv.connectionState = 'failed';
      ice.onConnectionState(recv.asTransport, 'failed');
      await vi.advanceTimersByTimeAsync(8 * RESTART_BACKOFF_FIRST_MS - 1);
      expect(signaling.asked).toHaveLength(4);
      await vi.advanceTimersByTimeAsync(1);
      expect(signaling.asked).toHaveLength(5);
      await answer();

      // Connected: no watchdog left, and the back-off starts over.
      recv.connectionState = 'connected';
      ice.onConnectionState(recv.asTransport, 'connected');
      expect(vi.getTimerCount()).toBe(0);
      recv.connectionState = 'failed';
      ice.onConnectionState(recv.asTransport, 'failed');
      expect(signaling.asked).toHaveLength(6);
      ice.close();
    });

    it('is left alone when it connects in time, and a transport never used is not watched', async () => {
      vi.useFakeTimers();
      const signaling = fakeSignaling();
      const send = new FakeTransport('t-send', 'send');
      const recv = new FakeTransport('t-recv', 'recv');
      for (const t of [send, recv]) t.connectionState = 'new';
      const { ice } = iceRestarts(signaling.channel, [send, recv]);

      ice.onConnecting(send.asTransport);
      await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS - 1);
      send.connectionState = 'connected';
      ice.onConnectionState(send.asTransport, 'connected');
      await vi.advanceTimersByTimeAsync(10 * NEVER_CONNECTED_MS);
      expect(signaling.asked).toEqual([]); // and `recv`, still 'new' (nothing consumed), neither
      expect(vi.getTimerCount()).toBe(0);
    });

    it('is tried again, backed off, when the server could not restart it', async () => {
      vi.useFakeTimers();
      const signaling = fakeSignaling();
      const send = new FakeTransport('t-send', 'send');
      send.connectionState = 'new';
      const { ice, gone } = iceRestarts(signaling.channel, [send]);

      ice.onConnecting(send.asTransport);
      await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS);
      signaling.pending[0]!.reject(new SignalingError('INTERNAL', 'no'));
      await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS + RESTART_BACKOFF_FIRST_MS - 1);
      expect(signaling.asked).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(signaling.asked).toHaveLength(2);
      expect(send.restartIce).not.toHaveBeenCalled();
      expect(gone).not.toHaveBeenCalled();
      ice.close();
    });

    it('is left alone once closed, or once the restarts are closed', async () => {
      vi.useFakeTimers();
      const signaling = fakeSignaling();
      const send = new FakeTransport('t-send', 'send');
      const recv = new FakeTransport('t-recv', 'recv');
      for (const t of [send, recv]) t.connectionState = 'connecting';
      const { ice } = iceRestarts(signaling.channel, [send, recv]);

      ice.onConnecting(send.asTransport);
      ice.onConnecting(recv.asTransport);
      send.closed = true; // closed without telling (the session closing it)
      await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_MS);
      expect(signaling.asked).toEqual(['restartIce t-recv']);
      signaling.pending[0]!.resolve();
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1); // the receive transport's next bound
      ice.close();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(10 * NEVER_CONNECTED_MS);
      expect(signaling.asked).toEqual(['restartIce t-recv']);
    });
  });
});
