import { signal, type Signal } from '@preact/signals';
import type { ChatMessage, NotificationData, NotificationType, RequestData, RequestType, ResponseData } from '@chantier/signaling/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingError } from '../signaling/SignalingError';
import { ChatController, type ChatSocket } from './ChatController';
import { createChatState, type ChatState } from './chatState';
import { serverMessage } from './testMessages';

interface SentRequest {
  type: RequestType;
  data: unknown;
  options: { timeoutMs?: number; retryOnLost?: boolean } | undefined;
  resolve: (data: unknown) => void;
  reject: (error: unknown) => void;
}

/** Plays the server: records requests, answers them when the test says so. */
class FakeSocket implements ChatSocket {
  readonly requests: SentRequest[] = [];
  private readonly listeners = new Map<string, Array<(data: unknown) => void>>();

  request<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    options?: { timeoutMs?: number; retryOnLost?: boolean },
  ): Promise<ResponseData<T>> {
    return new Promise<ResponseData<T>>((resolve, reject) => {
      this.requests.push({ type, data, options, resolve: resolve as (data: unknown) => void, reject });
    });
  }

  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener as (data: unknown) => void);
    this.listeners.set(type, list);
    return () => {
      this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l !== listener));
    };
  }

  notify<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    for (const listener of this.listeners.get(type) ?? []) listener(data);
  }

  /** The oldest unanswered request of this type, removed from the queue. */
  take(type: RequestType): SentRequest {
    const index = this.requests.findIndex((r) => r.type === type);
    if (index < 0) throw new Error(`no ${type} request (have: ${this.requests.map((r) => r.type).join(', ')})`);
    return this.requests.splice(index, 1)[0]!;
  }

  pending(type: RequestType): number {
    return this.requests.filter((r) => r.type === type).length;
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const me = { userId: 'u-me', displayName: 'Alice', role: 'member' as const };

function statuses(state: ChatState): string[] {
  return state.entries.value.map((e) => `${e.status}:${e.message.id || e.message.clientMessageId}`);
}

describe('ChatController', () => {
  let socket: FakeSocket;
  let state: ChatState;
  let chat: ChatController;
  let pageVisible: Signal<boolean>;
  let ids: number;

  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    socket = new FakeSocket();
    pageVisible = signal(true);
    state = createChatState(pageVisible);
    ids = 0;
    chat = new ChatController({ state, newClientMessageId: () => `client-id-${++ids}`, now: () => 42 });
  });

  afterEach(() => {
    chat.dispose();
    vi.restoreAllMocks();
  });

  async function attach(unread = 0, history: ChatMessage[] = [], hasMore = false): Promise<void> {
    chat.attach(socket, { projectId: 'p1', self: me, unread });
    socket.take('chatHistory').resolve({ messages: history, hasMore });
    await flush();
  }

  /** attach() under fake timers (flush() waits on a real timer). */
  async function attachWithFakeTimers(): Promise<void> {
    chat.attach(socket, { projectId: 'p1', self: me, unread: 0 });
    socket.take('chatHistory').resolve({ messages: [], hasMore: false });
    await vi.advanceTimersByTimeAsync(0);
  }

  /** The server's stored version of my message. */
  function mine(id: string, request: SentRequest): ChatMessage {
    const data = request.data as RequestData<'chatSend'>;
    return serverMessage(id, { clientMessageId: data.clientMessageId, author: me, text: data.text });
  }

  it('loads the latest page, newest first from the server, oldest first on screen', async () => {
    await attach(0, [serverMessage('3-0'), serverMessage('2-0')], true);
    expect(statuses(state)).toEqual(['sent:2-0', 'sent:3-0']);
    expect(state.hasMore.value).toBe(true);
    expect(state.historyLoaded.value).toBe(true);
  });

  it('shows a message at once as pending, then as sent when the answer comes', async () => {
    await attach();
    chat.setDraft('  Le béton arrive à 14 h\nprévoir la pompe  ');
    const sending = chat.send();
    expect(state.draft.value).toBe('');
    expect(statuses(state)).toEqual(['pending:client-id-1']);
    const request = socket.take('chatSend');
    expect(request.data).toEqual({ clientMessageId: 'client-id-1', text: 'Le béton arrive à 14 h\nprévoir la pompe' });
    request.resolve({ message: mine('5-0', request) });
    await sending;
    expect(statuses(state)).toEqual(['sent:5-0']);
  });

  it('lets a reconnecting meeting socket send a message again (same id) and wait up to 30 s', async () => {
    await attach();
    chat.setDraft('pendant le tunnel');
    const sending = chat.send();
    const request = socket.take('chatSend');
    // The Connection resends it after a resume only when told it is idempotent.
    expect(request.options).toEqual({ timeoutMs: 30_000, retryOnLost: true });
    expect(statuses(state)).toEqual(['pending:client-id-1']);
    request.resolve({ message: mine('6-0', request) });
    await sending;
    expect(statuses(state)).toEqual(['sent:6-0']);
  });

  it('keeps one entry when the notification comes before the answer', async () => {
    await attach();
    chat.setDraft('ok');
    const sending = chat.send();
    const request = socket.take('chatSend');
    const stored = mine('5-0', request);
    socket.notify('chatMessage', { message: stored });
    expect(statuses(state)).toEqual(['sent:5-0']);
    request.resolve({ message: stored });
    await sending;
    expect(statuses(state)).toEqual(['sent:5-0']);
    expect(state.unread.value).toBe(0);
  });

  it('marks a refused message failed and retries it, on request, with the same client id', async () => {
    await attach();
    chat.setDraft('ok');
    const sending = chat.send();
    socket.take('chatSend').reject(new SignalingError('RATE_LIMITED', 'too many chat messages'));
    await sending;
    expect(state.entries.value[0]).toMatchObject({ status: 'failed', error: 'RATE_LIMITED' });

    const retrying = chat.retry('client-id-1');
    expect(statuses(state)).toEqual(['pending:client-id-1']);
    const request = socket.take('chatSend');
    expect((request.data as RequestData<'chatSend'>).clientMessageId).toBe('client-id-1');
    request.resolve({ message: mine('6-0', request) });
    await retrying;
    expect(statuses(state)).toEqual(['sent:6-0']);
  });

  it('keeps a message the server cannot store yet (UNAVAILABLE, no answer) waiting, and sends it again by itself', async () => {
    vi.useFakeTimers();
    try {
      await attachWithFakeTimers();
      chat.setDraft('pendant la coupure');
      const sending = chat.send();
      socket.take('chatSend').reject(new SignalingError('UNAVAILABLE', 'storage unavailable, try again'));
      await sending;
      expect(state.entries.value[0]).toMatchObject({ status: 'waiting', error: 'UNAVAILABLE' });
      expect(socket.pending('chatSend')).toBe(0);

      // 1 s later: again, same client id; still down, and no answer at all this time.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(statuses(state)).toEqual(['pending:client-id-1']);
      socket.take('chatSend').reject(new SignalingError('TIMEOUT', 'chatSend got no response'));
      await vi.advanceTimersByTimeAsync(0);
      expect(state.entries.value[0]).toMatchObject({ status: 'waiting', error: 'TIMEOUT' });

      // 2 s later: Redis is back, the server stores it (once: same client id).
      await vi.advanceTimersByTimeAsync(1_999);
      expect(socket.pending('chatSend')).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      const request = socket.take('chatSend');
      expect((request.data as RequestData<'chatSend'>).clientMessageId).toBe('client-id-1');
      request.resolve({ message: mine('6-0', request) });
      await vi.advanceTimersByTimeAsync(0);
      expect(statuses(state)).toEqual(['sent:6-0']);
      // Nothing more is sent.
      await vi.advanceTimersByTimeAsync(10_000);
      expect(socket.pending('chatSend')).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a message written without a socket waiting, and sends it when a socket is attached', async () => {
    await attach();
    chat.detach();
    chat.setDraft('hors ligne');
    await chat.send();
    expect(state.entries.value[0]).toMatchObject({ status: 'waiting', error: 'CONNECTION_LOST' });
    await attach();
    const request = socket.take('chatSend');
    expect((request.data as RequestData<'chatSend'>).clientMessageId).toBe('client-id-1');
    request.resolve({ message: mine('7-0', request) });
    await flush();
    expect(statuses(state)).toEqual(['sent:7-0']);
  });

  it('shares a document as a message with its attachment', async () => {
    await attach();
    const doc = { documentId: 'doc1', name: 'plan.pdf', mimeType: 'application/pdf', size: 1234, version: 1 };
    const sharing = chat.shareDocument(doc);
    expect(state.entries.value[0]?.message.attachment).toEqual(doc);
    const request = socket.take('chatSend');
    expect(request.data).toEqual({ clientMessageId: 'client-id-1', text: '', documentId: 'doc1' });
    request.resolve({ message: { ...mine('8-0', request), attachment: doc } });
    await sharing;
    expect(statuses(state)).toEqual(['sent:8-0']);
  });

  it('counts others’ messages while closed and marks them read when opened', async () => {
    await attach(2, [serverMessage('3-0')]);
    expect(state.unread.value).toBe(2);
    socket.notify('chatMessage', { message: serverMessage('4-0') });
    expect(state.unread.value).toBe(3);
    // My own message from another tab does not count.
    socket.notify('chatMessage', { message: serverMessage('5-0', { author: me }) });
    expect(state.unread.value).toBe(3);
    expect(socket.pending('chatMarkRead')).toBe(0);

    chat.setOpen(true);
    expect(state.unread.value).toBe(0);
    const mark = socket.take('chatMarkRead');
    expect(mark.data).toEqual({ messageId: '5-0' });
    mark.resolve({ unread: 0 });
    await flush();

    // On screen: read as it arrives.
    socket.notify('chatMessage', { message: serverMessage('6-0') });
    expect(state.unread.value).toBe(0);
    expect(socket.take('chatMarkRead').data).toEqual({ messageId: '6-0' });
  });

  it('does not count while the page is hidden as read', async () => {
    chat.setOpen(true);
    pageVisible.value = false;
    await attach(0, [serverMessage('3-0')]);
    socket.notify('chatMessage', { message: serverMessage('4-0') });
    expect(state.unread.value).toBe(1);
    expect(socket.pending('chatMarkRead')).toBe(0);
    pageVisible.value = true;
    expect(socket.take('chatMarkRead').data).toEqual({ messageId: '4-0' });
  });

  it('loads older pages before the oldest shown', async () => {
    await attach(0, [serverMessage('10-0'), serverMessage('9-0')], true);
    const loading = chat.loadOlder();
    expect(state.loadingOlder.value).toBe(true);
    const request = socket.take('chatHistory');
    expect(request.data).toEqual({ before: '9-0', limit: 50 });
    request.resolve({ messages: [serverMessage('8-0'), serverMessage('7-0')], hasMore: false });
    await loading;
    expect(statuses(state)).toEqual(['sent:7-0', 'sent:8-0', 'sent:9-0', 'sent:10-0']);
    expect(state.hasMore.value).toBe(false);
    await chat.loadOlder();
    expect(socket.pending('chatHistory')).toBe(0);
  });

  it('ignores history answers of a socket that is gone', async () => {
    chat.attach(socket, { projectId: 'p1', self: me, unread: 0 });
    const stale = socket.take('chatHistory');
    chat.detach();
    stale.resolve({ messages: [serverMessage('1-0')], hasMore: false });
    await flush();
    expect(state.entries.value).toEqual([]);
  });
});
