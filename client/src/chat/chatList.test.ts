import { describe, expect, it } from 'vitest';
import {
  addDraft,
  entryKey,
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
  type Draft,
} from './chatList';
import { serverMessage } from './testMessages';

const me = { userId: 'u-me', displayName: 'Alice' };

function draft(clientMessageId: string, text = 'bonjour'): Draft {
  return { clientMessageId, projectId: 'p1', author: me, text, time: 1 };
}

/** The server's version of a draft of mine. */
function stored(id: string, clientMessageId: string, text = 'bonjour') {
  return serverMessage(id, { clientMessageId, author: me, text });
}

function summary(entries: ChatEntries): string[] {
  return entries.map((e) => `${e.status}:${e.message.id || e.message.clientMessageId}`);
}

describe('chat list', () => {
  it('shows a draft at once as pending, then as sent with the server message', () => {
    let list = addDraft([], draft('client-id-1'));
    expect(summary(list)).toEqual(['pending:client-id-1']);
    expect(list[0]?.message.id).toBe('');
    const key = entryKey(list[0]!);

    list = upsertMessages(list, [stored('10-0', 'client-id-1')]);
    expect(summary(list)).toEqual(['sent:10-0']);
    expect(list[0]?.message.text).toBe('bonjour');
    // Same rendering key: the row is updated, not replaced.
    expect(entryKey(list[0]!)).toBe(key);
  });

  it('keeps one entry when the notification races the chatSend answer, in either order', () => {
    // Answer and notification carry the same message: the first replaces the
    // pending entry (same author and client id), the second finds its id.
    const message = stored('10-0', 'client-id-1');
    const pending = addDraft([], draft('client-id-1'));
    expect(hasMessage(pending, message)).toBe(true);
    const first = upsertMessages(pending, [message]);
    expect(hasMessage(first, message)).toBe(true);
    expect(summary(upsertMessages(first, [message]))).toEqual(['sent:10-0']);
  });

  it('does not confuse two authors using the same client message id', () => {
    const list = addDraft([], draft('same-client-id'));
    const theirs = serverMessage('11-0', { clientMessageId: 'same-client-id' });
    expect(hasMessage(list, theirs)).toBe(false);
    expect(summary(upsertMessages(list, [theirs]))).toEqual(['sent:11-0', 'pending:same-client-id']);
  });

  it('marks a failed send, retries it with the same client id, and accepts the stored message', () => {
    let list = addDraft([], draft('client-id-1'));
    list = markFailed(list, 'client-id-1', 'TIMEOUT');
    expect(list[0]).toMatchObject({ status: 'failed', error: 'TIMEOUT' });

    list = markRetrying(list, 'client-id-1');
    expect(list[0]).toMatchObject({ status: 'pending', error: null });
    expect(list[0]?.message.clientMessageId).toBe('client-id-1');

    list = upsertMessages(list, [stored('12-0', 'client-id-1')]);
    expect(summary(list)).toEqual(['sent:12-0']);
  });

  it('keeps messages not stored yet waiting, lists them oldest first, and sends them as pending again', () => {
    let list = addDraft(addDraft([], draft('client-id-1')), draft('client-id-2'));
    list = markWaiting(list, 'client-id-1', 'UNAVAILABLE');
    list = markWaiting(list, 'client-id-2', 'CONNECTION_LOST');
    expect(summary(list)).toEqual(['waiting:client-id-1', 'waiting:client-id-2']);
    expect(list[0]?.error).toBe('UNAVAILABLE');
    expect(waitingIds(list)).toEqual(['client-id-1', 'client-id-2']);
    list = markRetrying(list, 'client-id-1');
    expect(summary(list)).toEqual(['pending:client-id-1', 'waiting:client-id-2']);
    // Its notification may come first: a stored message never goes back to waiting.
    list = upsertMessages(list, [stored('11-0', 'client-id-1')]);
    expect(markWaiting(list, 'client-id-1', 'TIMEOUT')).toBe(list);
    expect(waitingIds(list)).toEqual(['client-id-2']);
  });

  it('never turns a sent message into a failed one (the answer was lost after the notification)', () => {
    let list = upsertMessages(addDraft([], draft('client-id-1')), [stored('10-0', 'client-id-1')]);
    list = markFailed(list, 'client-id-1', 'CONNECTION_LOST');
    expect(summary(list)).toEqual(['sent:10-0']);
    expect(markRetrying(list, 'client-id-1')).toBe(list);
  });

  it('orders sent messages by server id, numerically, and keeps local ones last', () => {
    let list = addDraft([], draft('client-id-1'));
    list = upsertMessages(list, [serverMessage('1700000000010-0'), serverMessage('999999999999-5')]);
    list = upsertMessages(list, [serverMessage('1700000000010-10'), serverMessage('1700000000010-2')]);
    expect(summary(list)).toEqual([
      'sent:999999999999-5',
      'sent:1700000000010-0',
      'sent:1700000000010-2',
      'sent:1700000000010-10',
      'pending:client-id-1',
    ]);
    expect(oldestId(list)).toBe('999999999999-5');
    expect(latestId(list)).toBe('1700000000010-10');
  });

  it('merges a history page (newest first) without duplicates', () => {
    const live = upsertMessages([], [serverMessage('5-0'), serverMessage('6-0')]);
    const merged = upsertMessages(live, [serverMessage('6-0'), serverMessage('5-0'), serverMessage('4-0'), serverMessage('3-0')]);
    expect(summary(merged)).toEqual(['sent:3-0', 'sent:4-0', 'sent:5-0', 'sent:6-0']);
  });

  it('replaces what was shown before a reconnection, keeping live and local entries', () => {
    let list = upsertMessages([], [serverMessage('1-0'), serverMessage('2-0')]);
    list = addDraft(list, draft('client-id-1'));
    const stale = sentIds(list);
    // Arrived on the new socket before the history answer.
    list = upsertMessages(list, [serverMessage('9-0')]);
    list = replaceHistory(list, stale, [serverMessage('8-0'), serverMessage('7-0'), serverMessage('2-0')]);
    expect(summary(list)).toEqual(['sent:2-0', 'sent:7-0', 'sent:8-0', 'sent:9-0', 'pending:client-id-1']);
  });

  it('finds a pending message of mine in the history after a reconnection (the answer was lost)', () => {
    const list = markFailed(addDraft([], draft('client-id-1')), 'client-id-1', 'CONNECTION_LOST');
    expect(summary(replaceHistory(list, new Set(), [stored('4-0', 'client-id-1')]))).toEqual(['sent:4-0']);
  });
});
