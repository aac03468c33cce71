import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResponseData } from '@chantier/signaling/protocol';
import type { SignalingChannel } from '../signaling/Connection';
import { MediaPrewarm } from './MediaPrewarm';
import { DEFAULT_SCREEN_TUNING } from './screenTuning';

/** What MediaPrewarm uses of a MediaSession, recorded. */
class FakeSession {
  static made: FakeSession[] = [];
  /** Sessions made from now on fail their first createTransports. */
  static failFirstTransports = false;
  calls: string[] = [];
  transports = 0;
  closed = false;
  failNextTransports = FakeSession.failFirstTransports;
  get hasTransports(): boolean {
    return this.transports === 2;
  }
  async createTransports(options: { audioOnly?: boolean } = {}): Promise<void> {
    this.calls.push(`createTransports${options.audioOnly ? ' audioOnly' : ''}`);
    if (this.failNextTransports) {
      this.failNextTransports = false;
      throw new Error('ADMISSION_REQUIRED');
    }
    this.transports = 2;
  }
  /** The probe; by default it never ends (the press must not wait for it). */
  static probe: () => Promise<void> = () => new Promise(() => undefined);
  async connectEarly(): Promise<void> {
    this.calls.push('connectEarly');
    await FakeSession.probe();
  }
  /** The meeting's consumers made on the join screen (MediaSession.prepareConsumers). */
  async prepareConsumers(audioOnly: boolean): Promise<void> {
    this.calls.push(`prepareConsumers${audioOnly ? ' audioOnly' : ''}`);
  }
  close(): void {
    this.closed = true;
  }
}

let loadGate: Promise<void> = Promise.resolve();

vi.mock('./mediaSessionLoader', () => ({
  loadMediaSession: async () => ({
    MediaSession: {
      create: async () => {
        await loadGate;
        const session = new FakeSession();
        FakeSession.made.push(session);
        return session;
      },
    },
  }),
}));

const signaling = {} as SignalingChannel;
const hello = { routerRtpCapabilities: {}, iceServers: [] } as unknown as ResponseData<'hello'>;

beforeEach(() => {
  FakeSession.made = [];
  FakeSession.failFirstTransports = false;
  FakeSession.probe = () => new Promise(() => undefined);
  loadGate = Promise.resolve();
});

describe('MediaPrewarm', () => {
  it('loads the device, makes both transports, connects them and prepares the consumers on the join screen; take() hands over the session as it is, connected or not', async () => {
    const prewarm = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: true, audioOnly: true });
    const session = (await prewarm.take()) as unknown as FakeSession; // the probe never ends here
    expect(session.calls).toEqual(['createTransports audioOnly', 'connectEarly', 'prepareConsumers audioOnly']);
    expect(prewarm.session).toBeNull(); // the caller's now
    prewarm.close();
    expect(session.closed).toBe(false);
  });

  it('makes no transport for a guest on the join screen, and makes them at take() (after admission)', async () => {
    const prewarm = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: false, audioOnly: false });
    await vi.waitFor(() => expect(prewarm.session).not.toBeNull());
    expect((prewarm.session as unknown as FakeSession).calls).toEqual([]);
    const session = (await prewarm.take()) as unknown as FakeSession;
    expect(session.calls).toEqual(['createTransports']);
    expect(session.hasTransports).toBe(true);
  });

  it('joins all the same when the probe fails (the first produce or consume connects then)', async () => {
    FakeSession.probe = async () => {
      throw new Error('NOT_FOUND');
    };
    const prewarm = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: true, audioOnly: false });
    const session = (await prewarm.take()) as unknown as FakeSession;
    expect(session.calls).toEqual(['createTransports', 'connectEarly', 'prepareConsumers']);
    expect(session.hasTransports).toBe(true);
  });

  it('makes at take() the transports the join screen could not make', async () => {
    // Its attempt on the join screen fails (e.g. a moderator turned the lobby on meanwhile).
    FakeSession.failFirstTransports = true;
    const prewarm = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: true, audioOnly: false });
    const session = (await prewarm.take()) as unknown as FakeSession;
    expect(session.calls).toEqual(['createTransports', 'createTransports']);
    expect(session.hasTransports).toBe(true);
  });

  it('closes a session nobody took when the join screen goes, even one still loading', async () => {
    const ready = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: true, audioOnly: false });
    await vi.waitFor(() => expect(FakeSession.made).toHaveLength(1));
    ready.close();
    expect(FakeSession.made[0]!.closed).toBe(true);

    let release!: () => void;
    loadGate = new Promise((resolve) => (release = resolve));
    const loading = new MediaPrewarm(signaling, hello, DEFAULT_SCREEN_TUNING, { transports: true, audioOnly: false });
    loading.close();
    release();
    await expect(loading.take()).rejects.toThrow('the lobby was left');
    await vi.waitFor(() => expect(FakeSession.made[1]?.closed).toBe(true));
  });
});
