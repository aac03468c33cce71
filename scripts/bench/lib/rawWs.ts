/**
 * A minimal WebSocket client (RFC 6455) for the signaling benchmark's load
 * generators, written over `net` so that a connection costs them little CPU
 * beside the server they drive: `ws`'s client handshake goes through
 * http.request (an agent, an IncomingMessage, header objects) and its frames
 * through a Sender/Receiver pair per socket; here the upgrade is one write of
 * a request prepared once per URL (only the key differs), the 101 is read and
 * its Sec-WebSocket-Accept checked, client frames are masked as the RFC
 * requires, and a whole message is handed over as bytes (a view, valid until
 * the handler returns or later: net's chunks are not reused), for the caller
 * to parse only as far as it needs.
 *
 * It is a correct client, not a full one: no extensions (none is offered),
 * text messages out, text or binary in, fragmented messages reassembled,
 * pings answered, the close handshake done both ways; a protocol error from
 * the server (masked or reserved bits, bad control frame) fails the socket
 * with close code 1002.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest answer head accepted before the blank line. */
const MAX_HEAD_BYTES = 8192;
/** Largest message accepted from the server (the server's own limit is far below). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Random bytes for keys and masks, drawn from a pool refilled 8 KB at a time (as ws does). */
const pool = Buffer.allocUnsafe(8192);
let poolOffset = pool.length;
function randomBytes(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return bytes;
}

/** Sec-WebSocket-Accept for a key. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** The upgrade request of one URL, but for its key: the part before it and the part after. */
export interface UpgradeTemplate {
  host: string;
  port: number;
  head: string;
  tail: string;
}

/** `url`: ws:// or http:// (the same); `protocol`: a subprotocol to ask for. */
export function upgradeTemplate(url: string, protocol?: string): UpgradeTemplate {
  const u = new URL(url);
  if (u.protocol !== 'ws:' && u.protocol !== 'http:') throw new Error(`rawWs: ${u.protocol} is not supported (no TLS)`);
  const port = u.port ? Number(u.port) : 80;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    head: `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: `,
    tail: `\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`,
  };
}

/** A client frame: FIN, `opcode`, masked `payload` (RFC 6455 §5.3). */
export function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const start = header + 4;
  randomBytes(4).copy(frame, header);
  if (typeof payload === 'string') frame.write(payload, start, 'utf8');
  else payload.copy(frame, start);
  const m0 = frame[header]!;
  const m1 = frame[header + 1]!;
  const m2 = frame[header + 2]!;
  const m3 = frame[header + 3]!;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    frame[i] = frame[i]! ^ m0;
    frame[i + 1] = frame[i + 1]! ^ m1;
    frame[i + 2] = frame[i + 2]! ^ m2;
    frame[i + 3] = frame[i + 3]! ^ m3;
  }
  for (let k = 0; i < end; i++, k++) frame[i] = frame[i]! ^ frame[header + k]!;
  return frame;
}

/** What a RawWs reports; one object may serve many sockets (`socket` says which). */
export interface RawWsListener<T extends RawWs = RawWs> {
  /** A whole message (text or binary) from the server. */
  message(socket: T, payload: Buffer): void;
  /** The socket is gone: the server's close code, 1006 when it closed without one. Once. */
  closed(socket: T, code: number): void;
}

export class RawWsError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

/**
 * One client socket. `open()` resolves once the server's 101 is checked;
 * messages and the end go to the listener. Subclass it to keep per-client
 * state on the same object (the load generators do).
 */
export class RawWs {
  state: State = 'connecting';
  #socket: Socket | null = null;
  #rest: Buffer | null = null;
  #fragments: Buffer[] | null = null;
  #fragmentBytes = 0;
  #accept = '';
  #opened: { resolve: () => void; reject: (error: Error) => void } | null = null;
  #listener: RawWsListener | null = null;
  /** The server's close code, once it sent one. */
  #closeCode = 1006;
  /** Nothing after the server's close frame counts. */
  #closeReceived = false;

  open(template: UpgradeTemplate, listener: RawWsListener<this>): Promise<void> {
    this.#listener = listener as RawWsListener;
    const key = randomBytes(16).toString('base64');
    this.#accept = acceptFor(key);
    const socket = connect({ host: template.host, port: template.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(template.head + key + template.tail));
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', (error) => this.#fail(new RawWsError(`socket error: ${error.message.slice(0, 60)}`)));
    socket.on('close', () => this.#gone());
    return new Promise<void>((resolve, reject) => {
      this.#opened = { resolve, reject };
    });
  }

  /** Sends a text message. False when the socket is not open (nothing sent). */
  send(text: string): boolean {
    if (this.state !== 'open') return false;
    this.#socket!.write(clientFrame(OP_TEXT, text));
    return true;
  }

  /** Starts the close handshake; the socket ends when the server answers it (or fails). */
  close(code = 1000, reason = ''): void {
    if (this.state !== 'open') {
      if (this.state === 'connecting') this.terminate();
      return;
    }
    this.state = 'closing';
    const payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2, 'utf8');
    this.#socket!.write(clientFrame(OP_CLOSE, payload));
  }

  /** Ends the connection at once, without a close handshake; an `open()` still waiting fails with `reason`. */
  terminate(reason = 'socket closed'): void {
    const opened = this.#opened;
    this.#opened = null;
    opened?.reject(new RawWsError(reason));
    this.#socket?.destroy();
  }

  #fail(error: Error, closeCode?: number): void {
    const opened = this.#opened;
    this.#opened = null;
    opened?.reject(error);
    if (closeCode !== undefined && this.state === 'open') {
      const payload = Buffer.allocUnsafe(2);
      payload.writeUInt16BE(closeCode, 0);
      this.#socket!.end(clientFrame(OP_CLOSE, payload));
      this.state = 'closing';
      return;
    }
    this.#socket?.destroy();
  }

  #gone(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const opened = this.#opened;
    this.#opened = null;
    opened?.reject(new RawWsError('socket closed'));
    this.#rest = null;
    this.#fragments = null;
    this.#listener?.closed(this, this.#closeCode);
  }

  #data(chunk: Buffer): void {
    let buf = this.#rest === null ? chunk : Buffer.concat([this.#rest, chunk]);
    this.#rest = null;
    if (this.state === 'connecting') {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) this.#fail(new RawWsError('handshake: answer head too long'));
        else this.#rest = buf;
        return;
      }
      const problem = checkHandshake(buf.toString('latin1', 0, end), this.#accept);
      if (problem) {
        this.#fail(new RawWsError(`handshake: ${problem}`));
        return;
      }
      this.state = 'open';
      const opened = this.#opened;
      this.#opened = null;
      opened?.resolve();
      buf = buf.subarray(end + 4);
    }
    let offset = 0;
    while ((this.state === 'open' || this.state === 'closing') && !this.#closeReceived) {
      const available = buf.length - offset;
      if (available < 2) break;
      const b0 = buf[offset]!;
      const b1 = buf[offset + 1]!;
      if (b1 & 0x80 || b0 & 0x70) {
        this.#fail(new RawWsError('protocol: masked or reserved bits from the server'), 1002);
        return;
      }
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (available < 4) break;
        length = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (available < 10) break;
        length = buf.readUInt32BE(offset + 2) * 2 ** 32 + buf.readUInt32BE(offset + 6);
        header = 10;
      }
      if (length > MAX_MESSAGE_BYTES) {
        this.#fail(new RawWsError('protocol: message too big'), 1009);
        return;
      }
      if (available < header + length) break;
      const payload = buf.subarray(offset + header, offset + header + length);
      offset += header + length;
      this.#frame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
    if (offset < buf.length && this.state !== 'closed' && !this.#closeReceived) this.#rest = buf.subarray(offset);
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= OP_CLOSE) {
      if (!fin || payload.length > 125) {
        this.#fail(new RawWsError('protocol: bad control frame'), 1002);
        return;
      }
      if (opcode === OP_PING) {
        if (this.state === 'open') this.#socket!.write(clientFrame(OP_PONG, payload));
      } else if (opcode === OP_CLOSE) {
        this.#closeReceived = true;
        this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        // Answered with the same code (RFC 6455 §5.5.1), unless this side started the close.
        if (this.state === 'open') this.#socket!.write(clientFrame(OP_CLOSE, payload.subarray(0, Math.min(2, payload.length))));
        this.state = 'closing';
        this.#socket!.end();
      } else if (opcode !== OP_PONG) this.#fail(new RawWsError(`protocol: opcode ${opcode}`), 1002);
      return;
    }
    if (opcode === OP_CONTINUATION) {
      if (this.#fragments === null) {
        this.#fail(new RawWsError('protocol: continuation without a start'), 1002);
        return;
      }
      this.#fragments.push(payload);
      this.#fragmentBytes += payload.length;
      if (this.#fragmentBytes > MAX_MESSAGE_BYTES) {
        this.#fail(new RawWsError('protocol: message too big'), 1009);
        return;
      }
      if (!fin) return;
      const whole = Buffer.concat(this.#fragments, this.#fragmentBytes);
      this.#fragments = null;
      this.#fragmentBytes = 0;
      if (this.state === 'open') this.#listener!.message(this, whole);
      return;
    }
    if ((opcode !== OP_TEXT && opcode !== OP_BINARY) || this.#fragments !== null) {
      this.#fail(new RawWsError(`protocol: unexpected opcode ${opcode}`), 1002);
      return;
    }
    if (!fin) {
      this.#fragments = [payload];
      this.#fragmentBytes = payload.length;
      return;
    }
    if (this.state === 'open') this.#listener!.message(this, payload);
  }
}

/** What is wrong with the server's answer head (status line and headers), or '' when it upgrades. */
export function checkHandshake(head: string, accept: string): string {
  const lines = head.split('\r\n');
  const status = lines[0] ?? '';
  if (!/^HTTP\/1\.1 101\b/.test(status)) return `status ${status.slice(0, 40)}`;
  let upgrade = false;
  let connection = false;
  let acceptOk = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'upgrade') upgrade = value.toLowerCase() === 'websocket';
    else if (name === 'connection') connection = value.toLowerCase().split(/\s*,\s*/).includes('upgrade');
    else if (name === 'sec-websocket-accept') acceptOk = value === accept;
    else if (name === 'sec-websocket-extensions') return 'an extension the client did not ask for';
  }
  if (!upgrade || !connection) return 'no Upgrade: websocket / Connection: Upgrade';
  if (!acceptOk) return 'wrong Sec-WebSocket-Accept';
  return '';
}
