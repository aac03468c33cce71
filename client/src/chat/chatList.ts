/**
 * The chat as the user sees it, changed only by the pure functions below
 * (ChatController is their only caller). Four statuses:
 *
 *   pending  shown at once when sent, not yet acknowledged (id '')
 *   sent     the server's message (from the chatSend answer, a chatMessage
 *            notification or the history)
 *   waiting  not sent yet for a passing reason (the server's storage is
 *            UNAVAILABLE, no answer, no connection): sent again on its own
 *            (chat/sendRetry.ts)
 *   failed   the chatSend was refused; a retry sends the SAME client
 *            message id, which the server stores only once
 *
 * Order: sent messages by server id, then the local ones (pending, failed)
 * in the order they were written, as messaging apps do.
 *
 * Duplicates: a server message replaces the entry with its id, or else the
 * local entry of the same author and client message id. So the chatSend
 * answer and the chatMessage notification of the same message, whichever
 * comes first, end up as one entry.
 */
import type { ChatMessage, DocumentRef } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';
import { compareMessageIds } from './messageIds';

export type ChatStatus = 'pending' | 'sent' | 'waiting' | 'failed';

export interface ChatEntry {
  status: ChatStatus;
  /** The server's message; for a local entry, the same shape with id ''. */
  message: ChatMessage;
  /** Why a failed or waiting entry is not sent. */
  error: AppErrorCode | null;
  /** A local entry's attachment, to send again on retry. */
  documentId?: string;
}

export type ChatEntries = readonly ChatEntry[];

/** What the user wrote, before the server has it. */
export interface Draft {
  clientMessageId: string;
  projectId: string;
  author: ChatMessage['author'];
  text: string;
  time: number;
  attachment?: DocumentRef;
}

/** A stable identity across pending → sent, for rendering keys. */
export function entryKey(entry: ChatEntry): string {
  return `${entry.message.author.userId}\u0000${entry.message.clientMessageId}`;
}

function isLocal(entry: ChatEntry): boolean {
  return entry.status !== 'sent';
}

function sameAuthorAndClientId(entry: ChatEntry, message: Pick<ChatMessage, 'author' | 'clientMessageId'>): boolean {
  return (
    entry.message.clientMessageId === message.clientMessageId && entry.message.author.userId === message.author.userId
  );
}

function ordered(entries: ChatEntries): ChatEntries {
  const sent = entries.filter((e) => !isLocal(e));
  const local = entries.filter(isLocal);
  sent.sort((a, b) => compareMessageIds(a.message.id, b.message.id));
  return [...sent, ...local];
}

/** Adds what the user just wrote, as pending. */
export function addDraft(entries: ChatEntries, draft: Draft): ChatEntries {
  const message: ChatMessage = {
    id: '',
    clientMessageId: draft.clientMessageId,
    projectId: draft.projectId,
    kind: 'text',
    author: draft.author,
    text: draft.text,
    time: draft.time,
    ...(draft.attachment ? { attachment: draft.attachment } : {}),
  };
  const entry: ChatEntry = {
    status: 'pending',
    message,
    error: null,
    ...(draft.attachment ? { documentId: draft.attachment.documentId } : {}),
  };
  return [...entries, entry];
}

/** Whether the list already shows this server message (by id, or as the local entry it came from). */
export function hasMessage(entries: ChatEntries, message: ChatMessage): boolean {
  return entries.some((e) => (isLocal(e) ? sameAuthorAndClientId(e, message) : e.message.id === message.id));
}

/** Puts server messages in: the answer to chatSend, notifications, history pages. */
export function upsertMessages(entries: ChatEntries, messages: readonly ChatMessage[]): ChatEntries {
  if (messages.length === 0) return entries;
  const next = [...entries];
  const byId = new Map<string, number>();
  next.forEach((e, i) => {
    if (!isLocal(e)) byId.set(e.message.id, i);
  });
  for (const message of messages) {
    const sent: ChatEntry = { status: 'sent', message, error: null };
    const at = byId.get(message.id) ?? next.findIndex((e) => isLocal(e) && sameAuthorAndClientId(e, message));
    if (at >= 0) {
      next[at] = sent;
    } else {
      next.push(sent);
    }
    byId.set(message.id, at >= 0 ? at : next.length - 1);
  }
  return ordered(next);
}

/**
 * After a reconnection: the latest page replaces what was shown before it
 * (a gap may have opened while offline), except messages that arrived live
 * since (not in `stale`) and local entries.
 */
export function replaceHistory(entries: ChatEntries, stale: ReadonlySet<string>, page: readonly ChatMessage[]): ChatEntries {
  const kept = entries.filter((e) => isLocal(e) || !stale.has(e.message.id));
  return upsertMessages(kept, page);
}

function updateLocal(entries: ChatEntries, clientMessageId: string, change: (entry: ChatEntry) => ChatEntry): ChatEntries {
  let changed = false;
  const next = entries.map((e) => {
    if (!isLocal(e) || e.message.clientMessageId !== clientMessageId) return e;
    changed = true;
    return change(e);
  });
  return changed ? next : entries;
}

/**
 * The send failed. Only a pending entry fails: if its notification came
 * first, the message is stored and already shown as sent.
 */
export function markFailed(entries: ChatEntries, clientMessageId: string, error: AppErrorCode): ChatEntries {
  return updateLocal(entries, clientMessageId, (e) => (e.status === 'pending' ? { ...e, status: 'failed', error } : e));
}

/** The send failed for a passing reason: the entry waits to be sent again on its own. */
export function markWaiting(entries: ChatEntries, clientMessageId: string, error: AppErrorCode): ChatEntries {
  return updateLocal(entries, clientMessageId, (e) => (e.status === 'pending' ? { ...e, status: 'waiting', error } : e));
}

/** A retry: the failed or waiting entry is pending again, with its client message id unchanged. */
export function markRetrying(entries: ChatEntries, clientMessageId: string): ChatEntries {
  return updateLocal(entries, clientMessageId, (e) =>
    e.status === 'failed' || e.status === 'waiting' ? { ...e, status: 'pending', error: null } : e,
  );
}

/** The client message ids of the entries waiting to be sent again, oldest first. */
export function waitingIds(entries: ChatEntries): string[] {
  return entries.filter((e) => e.status === 'waiting').map((e) => e.message.clientMessageId);
}

export function findLocal(entries: ChatEntries, clientMessageId: string): ChatEntry | undefined {
  return entries.find((e) => isLocal(e) && e.message.clientMessageId === clientMessageId);
}

/** The newest server id shown (what "read up to" means), or null. */
export function latestId(entries: ChatEntries): string | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry && !isLocal(entry)) return entry.message.id;
  }
  return null;
}

/** The oldest server id shown (where "load older" starts), or null. */
export function oldestId(entries: ChatEntries): string | null {
  const first = entries.find((e) => !isLocal(e));
  return first ? first.message.id : null;
}

/** The server ids shown now. */
export function sentIds(entries: ChatEntries): Set<string> {
  return new Set(entries.filter((e) => !isLocal(e)).map((e) => e.message.id));
}
