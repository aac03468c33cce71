import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { notificationHead, Outbox } from './wsFrames.js';

/** ws's frame parser (not in its type definitions): what a ws client reads frames with. */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => Writable;
};

/** The text messages in `bytes`, as ws's own parser (a client's) reads them. */
function decode(bytes: Buffer): string[] {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    texts.push(data.toString('utf8'));
  });
  receiver.on('error', (error: Error) => {
    throw error;
  });
  receiver.write(bytes);
  return texts;
}

describe('Outbox', () => {
  it('encodes texts and notifications as text frames, in order, of every header size', () => {
    const outbox = new Outbox();
    const short = '{"kind":"res","id":1,"ok":true}';
    const medium = JSON.stringify({ text: 'é'.repeat(100) }); // 125 < bytes < 65,536, more bytes than characters
    const long = JSON.stringify({ text: 'x'.repeat(70_000) }); // ≥ 65,536: 8-byte length
    const data = JSON.stringify({ message: { text: 'Réunion de chantier à 9 h' } });
    outbox.pushText(short);
    outbox.pushNotification(notificationHead('chatMessage', data), 42);
    outbox.pushText(medium);
    outbox.pushNotification(notificationHead('chatMessage', data), 0);
    outbox.pushText(long);
    const texts = decode(outbox.encode());
    expect(texts).toEqual([
      short,
      `{"kind":"ntf","type":"chatMessage","data":${data},"seq":42}`,
      medium,
      `{"kind":"ntf","type":"chatMessage","data":${data}}`,
      long,
    ]);
    expect(JSON.parse(texts[1]!)).toEqual({ kind: 'ntf', type: 'chatMessage', data: JSON.parse(data), seq: 42 });
    // The same frames as text, for ws.send.
    expect(outbox.texts()).toEqual(texts);
  });

  it('is empty after clear, and reused', () => {
    const outbox = new Outbox();
    expect(outbox.empty).toBe(true);
    outbox.pushText('{"a":1}');
    outbox.pushNotification(notificationHead('presence', '{"v":1}'), 3);
    expect(outbox.empty).toBe(false);
    outbox.clear();
    expect(outbox.empty).toBe(true);
    expect(outbox.texts()).toEqual([]);
    expect(outbox.encode().length).toBe(0);
    outbox.pushText('{"b":2}');
    expect(decode(outbox.encode())).toEqual(['{"b":2}']);
  });

  it('encodes a notification\'s head once for the sessions of a fan-out', () => {
    const json = JSON.stringify({ documentId: 'd1', change: 'added' });
    const head = notificationHead('documentsChanged', json);
    expect(notificationHead('documentsChanged', json)).toBe(head);
    // Another notification, or the same data as another type, is another head.
    expect(notificationHead('documentsChanged', JSON.stringify({ documentId: 'd2', change: 'added' }))).not.toBe(head);
    expect(notificationHead('chatMessage', json).toString()).toBe(`{"kind":"ntf","type":"chatMessage","data":${json}`);
  });
});
