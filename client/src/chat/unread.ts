/**
 * Unread messages. The server keeps, per user and project, the id read up to
 * and counts the messages of OTHERS after it; hello brings that count. The
 * client then adds the new messages of others that arrive while the chat is
 * not on screen, and tells the server "read up to here" (chatMarkRead) when
 * the chat is on screen; the answer is the server's count again, which
 * corrects any drift.
 */
import type { ChatMessage } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { compareMessageIds } from './messageIds';

const log = createLogger('chat');

/** How the badge shows large counts. */
export const UNREAD_DISPLAY_CAP = 99;

/**
 * Whether a message that just arrived adds to the unread count: it is new to
 * this list, written by someone else, and the chat is not on screen.
 * Like the server, system messages count when someone else started or ended
 * the meeting: their author is that person.
 */
export function countsAsUnread(message: Pick<ChatMessage, 'author'>, selfUserId: string | null, isNew: boolean, visible: boolean): boolean {
  return isNew && !visible && message.author.userId !== selfUserId;
}

export function unreadLabel(count: number): string {
  return count > UNREAD_DISPLAY_CAP ? `${UNREAD_DISPLAY_CAP}+` : String(count);
}

/**
 * Sends "read up to" marks, one at a time and only forward: marks asked for
 * while one is in flight collapse into the newest, sent when it returns.
 * Each answer's count goes to `onUnread`, except when a newer mark is still
 * to be sent (its answer would overwrite it anyway).
 */
export class ReadMarker {
  private acknowledged: string | null = null;
  private wanted: string | null = null;
  private inFlight = false;
  private stopped = false;

  constructor(
    private readonly send: (messageId: string) => Promise<number>,
    private readonly onUnread: (unread: number) => void,
  ) {}

  /** Read up to this message id. */
  mark(messageId: string): void {
    if (this.stopped) return;
    const newest = this.wanted ?? this.acknowledged;
    if (newest !== null && compareMessageIds(messageId, newest) <= 0) return;
    this.wanted = messageId;
    if (!this.inFlight) void this.flush();
  }

  /** No more marks (the socket is gone); an answer still in flight is ignored. */
  stop(): void {
    this.stopped = true;
    this.wanted = null;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  /** Never rejects: a failed mark is logged and the next one covers it. */
  private async flush(): Promise<void> {
    this.inFlight = true;
    while (this.wanted !== null && !this.stopped) {
      const messageId = this.wanted;
      this.wanted = null;
      try {
        const unread = await this.send(messageId);
        this.acknowledged = messageId;
        if (!this.stopped && this.wanted === null) this.onUnread(unread);
      } catch (error) {
        log.warn('chatMarkRead failed', error);
      }
    }
    this.inFlight = false;
  }
}
