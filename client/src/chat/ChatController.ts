/**
 * The project's chat on a socket that someone else owns: the project page's
 * (ProjectController) or the meeting's (RoomController). The owner attaches
 * it after each successful hello and detaches it when the socket goes; this
 * controller subscribes to `chatMessage`, sends chatSend / chatHistory /
 * chatMarkRead, and is the only writer of the chat's signals.
 *
 * Every public action resolves, never rejects: failures end up in state
 * (a failed message, a history error) and in the log.
 */
import { effect } from '@preact/signals';
import {
  MAX_CHAT_TEXT,
  type ChatMessage,
  type DocumentRef,
  type NotificationData,
  type NotificationType,
  type RequestData,
  type RequestType,
  type ResponseData,
  type Role,
} from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import {
  addDraft,
  findLocal,
  hasMessage,
  latestId,
  markFailed,
  markRetrying,
  markWaiting,
  oldestId,
  replaceHistory,
  sentIds,
  upsertMessages,
  waitingIds,
  type ChatEntries,
} from './chatList';
import type { ChatState } from './chatState';
import { newClientMessageId } from './messageIds';
import { isPassing, RetrySchedule } from './sendRetry';
import { countsAsUnread, ReadMarker } from './unread';

const log = createLogger('chat');

/** The part of SignalingClient (or Connection) the chat uses, so that tests can fake it. */
export interface ChatSocket {
  request<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    options?: { timeoutMs?: number; retryOnLost?: boolean },
  ): Promise<ResponseData<T>>;
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void;
}

/** What the chat needs from the hello answer. */
export interface ChatSession {
  projectId: string;
  self: { userId: string; displayName: string; role: Role };
  unread: number;
}

/** What the UI may ask for. */
export interface ChatActions {
  setDraft(text: string): void;
  /** Sends the draft (trimmed; nothing when empty). */
  send(): Promise<void>;
  /** Posts a project document into the chat. */
  shareDocument(document: DocumentRef): Promise<void>;
  /** Sends a failed message again, with the same client message id. */
  retry(clientMessageId: string): Promise<void>;
  loadOlder(): Promise<void>;
  /** The chat is on screen (panel open, tab chosen) or not. */
  setOpen(open: boolean): void;
}

export interface ChatControllerOptions {
  state: ChatState;
  /** Messages per history page. */
  pageSize?: number;
  newClientMessageId?: () => string;
  now?: () => number;
  /** Every server message that arrives live (not history): the documents list listens for shared ones. */
  onLiveMessage?: (message: ChatMessage) => void;
  /** Waits between automatic sends of waiting messages (chat/sendRetry.ts); tests shorten them. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_PAGE_SIZE = 50;
/**
 * How long a message may stay pending. On a meeting's socket that is
 * reconnecting, it waits for the resume and is sent again if its socket died
 * under it (same clientMessageId: the server stores it once).
 */
const SEND_TIMEOUT_MS = 30_000;

export class ChatController implements ChatActions {
  readonly state: ChatState;
  private readonly pageSize: number;
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly onLiveMessage: (message: ChatMessage) => void;
  private socket: ChatSocket | null = null;
  private session: ChatSession | null = null;
  private marker: ReadMarker | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Bumped by attach/detach: answers from an older socket are dropped. */
  private generation = 0;
  private readonly stopVisibilityEffect: () => void;
  /** Sends again, now and then, the messages waiting for the server to be able to store them. */
  private readonly retries: RetrySchedule;

  constructor(options: ChatControllerOptions) {
    this.state = options.state;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.newId = options.newClientMessageId ?? (() => newClientMessageId());
    this.now = options.now ?? Date.now;
    this.onLiveMessage = options.onLiveMessage ?? (() => {});
    this.retries = new RetrySchedule(() => void this.sendWaiting(), options.retryDelaysMs);
    // Coming on screen reads everything shown.
    this.stopVisibilityEffect = effect(() => {
      if (this.state.visible.value) this.markLatestRead();
    });
  }

  // ------------------------------------------------------------ lifecycle

  /** A socket said hello: use it. Loads the latest page of history. */
  attach(socket: ChatSocket, session: ChatSession): void {
    this.detach();
    const generation = this.generation;
    const { state } = this;
    this.socket = socket;
    this.session = session;
    state.selfUserId.value = session.self.userId;
    state.unread.value = session.unread;
    state.connected.value = true;
    this.marker = new ReadMarker(
      async (messageId) => (await socket.request('chatMarkRead', { messageId })).unread,
      (unread) => {
        if (generation === this.generation) state.unread.value = unread;
      },
    );
    this.unsubscribe.push(socket.onNotification('chatMessage', ({ message }) => this.receive(message)));
    // loadLatest catches everything itself.
    void this.loadLatest(generation);
    // A new socket: what waited for a connection goes now.
    void this.sendWaiting();
  }

  /** The socket is gone (closed, replaced). Messages in flight fail through their own requests. */
  detach(): void {
    this.generation++;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.marker?.stop();
    this.marker = null;
    this.socket = null;
    this.state.connected.value = false;
    this.state.loadingOlder.value = false;
  }

  dispose(): void {
    this.retries.stop();
    this.detach();
    this.stopVisibilityEffect();
  }

  // -------------------------------------------------------------- actions

  setDraft(text: string): void {
    this.state.draft.value = text.slice(0, MAX_CHAT_TEXT);
  }

  async send(): Promise<void> {
    const text = this.state.draft.value.trim();
    // Never attached (no hello yet): keep the draft rather than lose it.
    if (text === '' || !this.session) return;
    this.state.draft.value = '';
    await this.post(text, undefined);
  }

  async shareDocument(document: DocumentRef): Promise<void> {
    await this.post('', document);
  }

  async retry(clientMessageId: string): Promise<void> {
    const entry = findLocal(this.state.entries.value, clientMessageId);
    if (entry?.status !== 'failed') return;
    this.update((entries) => markRetrying(entries, clientMessageId));
    await this.deliver(clientMessageId);
  }

  async loadOlder(): Promise<void> {
    const { state } = this;
    const socket = this.socket;
    if (!socket || state.loadingOlder.value) return;
    // A failed first page: "load older" is the way to try it again.
    if (!state.historyLoaded.value) {
      await this.loadLatest(this.generation);
      return;
    }
    const before = oldestId(state.entries.value);
    if (!before || !state.hasMore.value) return;
    const generation = this.generation;
    state.loadingOlder.value = true;
    state.historyError.value = null;
    try {
      const page = await socket.request('chatHistory', { before, limit: this.pageSize });
      if (generation !== this.generation) return;
      this.update((entries) => upsertMessages(entries, page.messages));
      state.hasMore.value = page.hasMore;
    } catch (error) {
      if (generation !== this.generation) return;
      log.warn('older messages not loaded', error);
      state.historyError.value = errorCodeOf(error);
    } finally {
      if (generation === this.generation) state.loadingOlder.value = false;
    }
  }

  setOpen(open: boolean): void {
    this.state.open.value = open;
  }

  // ------------------------------------------------------------- internals

  private update(change: (entries: ChatEntries) => ChatEntries): void {
    this.state.entries.value = change(this.state.entries.value);
  }

  private async post(text: string, attachment: DocumentRef | undefined): Promise<void> {
    const session = this.session;
    if (!session) {
      log.warn('nothing to send with: the chat was never attached');
      return;
    }
    const clientMessageId = this.newId();
    this.update((entries) =>
      addDraft(entries, {
        clientMessageId,
        projectId: session.projectId,
        author: { userId: session.self.userId, displayName: session.self.displayName },
        text,
        time: this.now(),
        ...(attachment ? { attachment } : {}),
      }),
    );
    await this.deliver(clientMessageId);
  }

  /** Sends a pending entry; it becomes sent (the server's message) or failed. */
  private async deliver(clientMessageId: string): Promise<void> {
    const entry = findLocal(this.state.entries.value, clientMessageId);
    if (!entry) return;
    const socket = this.socket;
    if (!socket) {
      // Sent when a socket is attached again.
      this.update((entries) => markWaiting(entries, clientMessageId, 'CONNECTION_LOST'));
      return;
    }
    try {
      const { message } = await socket.request(
        'chatSend',
        {
          clientMessageId,
          text: entry.message.text,
          ...(entry.documentId ? { documentId: entry.documentId } : {}),
        },
        { timeoutMs: SEND_TIMEOUT_MS, retryOnLost: true },
      );
      // Even from an older socket: the message is stored, show it as such.
      this.update((entries) => upsertMessages(entries, [message]));
      this.retries.succeeded();
    } catch (error) {
      const code = errorCodeOf(error);
      log.warn('message not sent', error);
      if (isPassing(code)) {
        this.update((entries) => markWaiting(entries, clientMessageId, code));
        this.retries.schedule();
      } else {
        this.update((entries) => markFailed(entries, clientMessageId, code));
      }
    }
  }

  /** Sends the waiting messages again, oldest first, in order (a later one waits for an earlier one). */
  private async sendWaiting(): Promise<void> {
    if (!this.socket) return;
    for (const clientMessageId of waitingIds(this.state.entries.value)) {
      this.update((entries) => markRetrying(entries, clientMessageId));
      await this.deliver(clientMessageId);
      // Still not stored: the others wait for the next try.
      if (findLocal(this.state.entries.value, clientMessageId)?.status === 'waiting') return;
    }
  }

  private receive(message: ChatMessage): void {
    const { state } = this;
    const isNew = !hasMessage(state.entries.value, message);
    this.update((entries) => upsertMessages(entries, [message]));
    if (!isNew) return;
    if (countsAsUnread(message, state.selfUserId.value, isNew, state.visible.value)) {
      state.unread.value += 1;
    } else if (state.visible.value) {
      this.markLatestRead();
    }
    this.onLiveMessage(message);
  }

  /** Never rejects: a failed first page is shown as historyError. */
  private async loadLatest(generation: number): Promise<void> {
    const { state } = this;
    const socket = this.socket;
    if (!socket) return;
    // What was shown before this socket: replaced by the fresh page, so that
    // no gap from an offline spell stays hidden between old and new messages.
    const stale = sentIds(state.entries.value);
    state.historyError.value = null;
    state.loadingOlder.value = true;
    try {
      const page = await socket.request('chatHistory', { limit: this.pageSize });
      if (generation !== this.generation) return;
      this.update((entries) => replaceHistory(entries, stale, page.messages));
      state.hasMore.value = page.hasMore;
      state.historyLoaded.value = true;
      if (state.visible.value) this.markLatestRead();
    } catch (error) {
      if (generation !== this.generation) return;
      log.warn('chat history not loaded', error);
      state.historyError.value = errorCodeOf(error);
    } finally {
      if (generation === this.generation) state.loadingOlder.value = false;
    }
  }

  private markLatestRead(): void {
    const marker = this.marker;
    const latest = latestId(this.state.entries.peek());
    if (!marker || !latest) return;
    // At once on screen; the server's answer then sets the exact count.
    if (this.state.unread.peek() > 0) this.state.unread.value = 0;
    marker.mark(latest);
  }
}
