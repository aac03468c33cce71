import { computed, signal } from '@preact/signals';
import { PROTOCOL_VERSION, type PresenceConnection, type PresenceEntry } from '@chantier/signaling/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProjectApi } from '../api/ProjectApi';
import { ChatController } from '../chat/ChatController';
import { createChatState } from '../chat/chatState';
import { createDocumentsState, DocumentsController } from '../documents/DocumentsController';
import { SignalingClient, type WebSocketLike } from '../signaling/SignalingClient';
import { ProjectController } from './ProjectController';
import { createProjectState, type ProjectState } from './projectState';

type Sent = { kind: string; id: number; type: string; data: Record<string, unknown> };

/** A browser WebSocket played by the test: it sees what is sent and answers. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Sent[] = [];
  private readonly handlers = new Map<string, Array<(event: never) => void>>();

  addEventListener(type: string, listener: (event: never) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Sent);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }
  receive(message: unknown): void {
    this.fire('message', { data: JSON.stringify(message) });
  }
  serverClose(code: number): void {
    this.readyState = 3;
    this.fire('close', { code, reason: '' });
  }
  requests(type: string): Sent[] {
    return this.sent.filter((m) => m.type === type);
  }
  request(type: string): Sent {
    const found = this.sent.find((m) => m.type === type);
    if (!found) throw new Error(`no ${type} sent`);
    return found;
  }
  private fire(type: string, event: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(event as never);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const alice: PresenceEntry = { userId: 'u-alice', displayName: 'Alice', role: 'member', devices: ['phone'], rooms: ['reunion'] };
const aliceConnection: PresenceConnection = { id: 'n/c1', userId: 'u-alice', displayName: 'Alice', role: 'member', device: 'phone', roomId: 'reunion' };
const bob: PresenceConnection = { id: 'n/c2', userId: 'u-bob', displayName: 'Bob', role: 'member', device: 'desktop', roomId: null };

describe('ProjectController', () => {
  let sockets: FakeSocket[];
  let state: ProjectState;
  let controller: ProjectController;
  let chat: ChatController;
  let timers: Array<{ handler: () => void; ms: number }>;
  const api = {
    project: vi.fn(async () => ({ id: 'p1', name: 'Lyon 7 — Bât. B', createdAt: 0, members: [] })),
    documents: vi.fn(async () => []),
  } as unknown as ProjectApi;

  beforeEach(() => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    sockets = [];
    timers = [];
    const wide = signal(false);
    state = createProjectState({ projectId: 'p1', token: 'tok', tokenStored: true, wide });
    chat = new ChatController({ state: createChatState(computed(() => true)) });
    const documents = new DocumentsController({ state: createDocumentsState(), api, share: async () => {} });
    controller = new ProjectController({
      state,
      token: 'tok',
      url: 'ws://test/ws',
      api,
      chat,
      documents,
      isPhone: () => true,
      createSignaling: (url) =>
        new SignalingClient({
          url,
          createSocket: () => {
            const socket = new FakeSocket();
            sockets.push(socket);
            return socket;
          },
        }),
      timers: {
        setTimeout: (handler, ms) => timers.push({ handler, ms }),
        clearTimeout: () => {},
      },
    });
  });

  afterEach(() => {
    controller.dispose();
    chat.dispose();
    vi.restoreAllMocks();
  });

  async function helloAnswered(socket: FakeSocket, connections: PresenceConnection[] = [aliceConnection]): Promise<void> {
    socket.open();
    await flush();
    const hello = socket.request('hello');
    socket.receive({
      kind: 'res',
      id: hello.id,
      ok: true,
      data: { protocol: 1, peerId: 'peer1', projectId: 'p1', self: { userId: 'u-me', displayName: 'Moi', role: 'owner' }, iceServers: [], presence: { version: 10, connections }, unread: 4 },
    });
    await flush();
  }

  it('says hello without a room, as a phone, and shows presence, name and unread count', async () => {
    const starting = controller.start();
    await flush();
    await helloAnswered(sockets[0]!);
    await starting;
    const hello = sockets[0]!.request('hello');
    expect(hello.data).toEqual({ protocol: PROTOCOL_VERSION, token: 'tok', projectId: 'p1', device: 'phone' });
    expect(state.phase.value).toBe('online');
    expect(state.name.value).toBe('Lyon 7 — Bât. B');
    expect(state.rooms.value[0]).toMatchObject({ roomId: 'reunion', href: '/p/p1/r/reunion', people: [alice] });
    expect(chat.state.unread.value).toBe(4);
    expect(sockets[0]!.request('chatHistory').data).toEqual({ limit: 50 });

    // Changes apply in version order; those the snapshot had are ignored.
    sockets[0]!.receive({ kind: 'ntf', type: 'presence', data: { changes: [{ version: 10, gone: ['n/c1'] }, { version: 11, set: [bob] }] } });
    expect(state.online.value.map((e) => e.userId)).toEqual(['u-alice', 'u-bob']);
    sockets[0]!.receive({ kind: 'ntf', type: 'presence', data: { changes: [{ version: 12, gone: ['n/c1'] }] } });
    expect(state.online.value.map((e) => e.userId)).toEqual(['u-bob']);
    expect(sockets[0]!.requests('presence')).toHaveLength(0);

    // A version missed: the list stays, a snapshot is asked for, and a change that overtook it applies after it.
    sockets[0]!.receive({ kind: 'ntf', type: 'presence', data: { changes: [{ version: 14, gone: ['n/c2'] }] } });
    expect(state.online.value.map((e) => e.userId)).toEqual(['u-bob']);
    const snapshot = sockets[0]!.request('presence');
    expect(snapshot.data).toEqual({});
    sockets[0]!.receive({ kind: 'res', id: snapshot.id, ok: true, data: { version: 13, connections: [aliceConnection, bob] } });
    await flush();
    expect(state.online.value.map((e) => e.userId)).toEqual(['u-alice']);
  });

  it('sends a fresh token on the socket, applies a new role, and says hello with it after a drop', async () => {
    const starting = controller.start();
    await flush();
    await helloAnswered(sockets[0]!);
    await starting;
    const refreshing = controller.refreshToken('tok-2');
    await flush();
    const refresh = sockets[0]!.request('refreshToken');
    expect(refresh.data).toEqual({ token: 'tok-2' });
    sockets[0]!.receive({ kind: 'res', id: refresh.id, ok: true, data: { expiresAt: 1_900_000_000, role: 'member' } });
    await refreshing;
    expect(state.self.value?.role).toBe('member');

    sockets[0]!.serverClose(1006);
    timers[0]!.handler();
    await flush();
    await helloAnswered(sockets[1]!, []);
    expect(sockets[1]!.request('hello').data).toMatchObject({ token: 'tok-2' });
  });

  it('goes offline when the socket drops, and comes back on the scheduled retry', async () => {
    const starting = controller.start();
    await flush();
    await helloAnswered(sockets[0]!);
    await starting;
    sockets[0]!.serverClose(1006);
    expect(state.phase.value).toBe('offline');
    expect(chat.state.connected.value).toBe(false);
    expect(timers).toHaveLength(1);

    timers[0]!.handler();
    await flush();
    await helloAnswered(sockets[1]!, []);
    expect(state.phase.value).toBe('online');
    expect(chat.state.connected.value).toBe(true);
    expect(state.online.value).toEqual([]);
  });

  it('finds a socket gone silent (a cut link never closes) with a ping, and retries', async () => {
    vi.useFakeTimers();
    try {
      const tick = () => vi.advanceTimersByTimeAsync(0);
      const starting = controller.start();
      await tick();
      const socket = sockets[0]!;
      socket.open();
      await tick();
      const hello = socket.request('hello');
      socket.receive({
        kind: 'res',
        id: hello.id,
        ok: true,
        data: { protocol: 1, peerId: 'peer1', projectId: 'p1', self: { userId: 'u-me', displayName: 'Moi', role: 'owner' }, iceServers: [], presence: { version: 10, connections: [aliceConnection] }, unread: 0 },
      });
      await starting;
      expect(state.phase.value).toBe('online');
      await vi.advanceTimersByTimeAsync(5_000);
      const ping = socket.request('ping');
      socket.receive({ kind: 'res', id: ping.id, ok: true, data: { time: 1 } });
      await vi.advanceTimersByTimeAsync(5_000 + 2_900);
      expect(state.phase.value).toBe('online');
      await vi.advanceTimersByTimeAsync(200);
      expect(state.phase.value).toBe('offline');
      expect(chat.state.connected.value).toBe(false);
      expect(timers.map((t) => t.ms)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops for good on a refused link', async () => {
    const starting = controller.start();
    await flush();
    sockets[0]!.open();
    await flush();
    const hello = sockets[0]!.request('hello');
    sockets[0]!.receive({ kind: 'res', id: hello.id, ok: false, error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    await starting;
    expect(state.phase.value).toBe('error');
    expect(state.error.value).toBe('TOKEN_EXPIRED');
    expect(timers).toHaveLength(0);
  });

  it('shows the chat when its tab is chosen, or always on a wide screen', () => {
    expect(chat.state.open.value).toBe(true);
    controller.selectTab('documents');
    expect(chat.state.open.value).toBe(false);
  });
});
