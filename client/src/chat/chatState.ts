/**
 * The chat's state as signals. Components read them; only ChatController
 * writes them.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { AppErrorCode } from '../errors';
import type { ChatEntries } from './chatList';

export interface ChatState {
  entries: Signal<ChatEntries>;
  /** The server has older messages than the oldest shown. */
  hasMore: Signal<boolean>;
  /** The first page arrived (until then the list shows a spinner). */
  historyLoaded: Signal<boolean>;
  loadingOlder: Signal<boolean>;
  /** The last history request failed (shown above the list, with "load older" to try again). */
  historyError: Signal<AppErrorCode | null>;
  unread: Signal<number>;
  /** The chat is on screen as far as the layout goes (panel open, tab chosen). */
  open: Signal<boolean>;
  /** The page itself is visible (not a background tab, not a locked phone). */
  pageVisible: ReadonlySignal<boolean>;
  /** open and pageVisible: new messages are being read as they come. */
  visible: ReadonlySignal<boolean>;
  /** The text being written; kept here so that closing the panel does not lose it. */
  draft: Signal<string>;
  /** A socket is attached: sending can work. */
  connected: Signal<boolean>;
  selfUserId: Signal<string | null>;
}

export function createChatState(pageVisible: ReadonlySignal<boolean>): ChatState {
  const open = signal(false);
  return {
    entries: signal<ChatEntries>([]),
    hasMore: signal(false),
    historyLoaded: signal(false),
    loadingOlder: signal(false),
    historyError: signal<AppErrorCode | null>(null),
    unread: signal(0),
    open,
    pageVisible,
    visible: computed(() => open.value && pageVisible.value),
    draft: signal(''),
    connected: signal(false),
    selfUserId: signal<string | null>(null),
  };
}
