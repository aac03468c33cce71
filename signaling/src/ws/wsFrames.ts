/**
 * A session's outgoing frames of one tick (Outbox), and their encoding as
 * WebSocket text frames as a server sends them (RFC 6455 §5.2: FIN, opcode 1,
 * no mask), together in one buffer: what writeBatch.ts writes to a socket in
 * one call instead of handing each frame to ws.
 *
 * A notification fanned out to many sessions costs each session no object:
 * its outbox keeps the shared bytes (envelope and data, encoded once for all:
 * notificationHead) and the session's sequence number, side by side in an
 * array that lives as long as the session. Allocation per delivery is what
 * the chat's tail was made of: a chat message to a project of 50 made 50
 * strings of the same ~400 bytes (and their envelopes, arrays, ws's buffers),
 * all alive until the tick's end, so that a V8 scavenge during a fan-out
 * found them live and moved them, pages at a time, to the old generation
 * (the signaling bench's paced chat promoted about 35 MB/s: scripts/bench/README.md).
 */

/** The bytes after a notification's head: its seq (0: not numbered), and the envelope's closing brace. */
function tail(seq: number): string {
  return seq === 0 ? '}' : `,"seq":${seq}}`;
}

/** Bytes of a server frame's header for a payload of `length` bytes. */
function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/**
 * Frames waiting for the end of the tick, in order: a string is a whole
 * frame's text; a Buffer is a notification's head, and the number after it
 * its seq. Kept in one array, reused from tick to tick.
 */
export class Outbox {
  #items: Array<string | Buffer | number> = [];
  #length = 0;

  get empty(): boolean {
    return this.#length === 0;
  }

  pushText(text: string): void {
    this.#items[this.#length++] = text;
  }

  /** `head` from notificationHead(); `seq` 0 when the session does not number its notifications. */
  pushNotification(head: Buffer, seq: number): void {
    this.#items[this.#length++] = head;
    this.#items[this.#length++] = seq;
  }

  /** Forgets what waits (and lets it be collected). */
  clear(): void {
    this.#items.fill(0, 0, this.#length);
    this.#length = 0;
  }

  /** The frames' texts, in order (for ws.send, when they cannot be written as bytes). */
  texts(): string[] {
    const texts: string[] = [];
    const items = this.#items;
    for (let i = 0; i < this.#length; i++) {
      const item = items[i]!;
      if (typeof item === 'string') texts.push(item);
      else texts.push((item as Buffer).toString('utf8') + tail(items[++i] as number));
    }
    return texts;
  }

  /** The frames, in order, each a whole (unfragmented) text message, in one buffer. */
  encode(): Buffer {
    const items = this.#items;
    const count = this.#length;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      // A tail is ASCII: its length in bytes is its length.
      const length = typeof item === 'string' ? Buffer.byteLength(item, 'utf8') : (item as Buffer).length + tail(items[++i] as number).length;
      total += headerBytes(length) + length;
    }
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      let length: number;
      let text: string;
      if (typeof item === 'string') {
        text = item;
        length = Buffer.byteLength(item, 'utf8');
      } else {
        text = tail(items[++i] as number);
        length = (item as Buffer).length + text.length;
      }
      out[at++] = 0x81; // FIN, text
      if (length < 126) {
        out[at++] = length;
      } else if (length < 0x10000) {
        out[at++] = 126;
        out.writeUInt16BE(length, at);
        at += 2;
      } else {
        out[at++] = 127;
        out.writeUInt32BE(Math.floor(length / 0x1_0000_0000), at);
        out.writeUInt32BE(length >>> 0, at + 4);
        at += 8;
      }
      if (typeof item !== 'string') at += (item as Buffer).copy(out, at);
      at += out.write(text, at, 'utf8');
    }
    return out;
  }
}

/** The last head made, for the next session of the same fan-out (one notification to many sessions in a row). */
let lastHead: { type: string; dataJson: string; head: Buffer } | undefined;

/**
 * `{"kind":"ntf","type":<type>,"data":<dataJson>` as bytes, made once for a
 * notification that goes to many sessions: the sessions of one fan-out ask in
 * a row with the same `dataJson` string, and get the same buffer.
 */
export function notificationHead(type: string, dataJson: string): Buffer {
  const last = lastHead;
  if (last !== undefined && last.dataJson === dataJson && last.type === type) return last.head;
  const head = Buffer.from(`{"kind":"ntf","type":"${type}","data":${dataJson}`, 'utf8');
  lastHead = { type, dataJson, head };
  return head;
}
