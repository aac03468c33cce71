/**
 * Socket writes batched per tick: a session queues the frames it is given
 * (Session.#write) and is flushed once, after the current I/O callbacks
 * (setImmediate), so that every frame the tick made for it leaves in one
 * write (one syscall) instead of one each. A chat burst or a presence change
 * fanned out to a project costs a write per socket, not per message.
 *
 * The frames are encoded here (wsFrames.ts) and written to the TCP socket
 * under ws, as one buffer: through ws.send each frame cost a header buffer, a
 * payload copy, two queued stream writes and their callbacks, then a writev of
 * them all; a chat message fanned out to 50 sockets made that 50 times, and
 * the garbage (V8 scavenges) and the stream bookkeeping were most of the
 * server's time beside the syscalls (scripts/bench/README.md, "signaling").
 * Written in ws's stead only while ws holds nothing back (its sender queues
 * frames only while compressing or reading a Blob, which this server never
 * asks for), so that the order of everything sent on the socket is kept.
 */
import type { WebSocket } from 'ws';
import type { Outbox } from './wsFrames.js';

interface Flushable {
  flush(): void;
}

/**
 * The sessions to flush at the end of this tick, and the list of the previous
 * one (kept: two arrays for the life of the process, rather than a set and a
 * copy of it per tick). A session asks once per tick (when its outbox gets
 * its first frame); should it ask twice, its second flush finds it empty.
 */
let pending: Flushable[] = [];
let pendingCount = 0;
let spare: Flushable[] = [];
/** Node's own, taken at load: a test's fake timers must not hold every later flush back. */
const immediate = globalThis.setImmediate;
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const sessions = pending;
  const count = pendingCount;
  // What a flush schedules (nothing today) goes to the next tick's list.
  pending = spare;
  pendingCount = 0;
  spare = sessions;
  for (let i = 0; i < count; i++) {
    const session = sessions[i]!;
    sessions[i] = NOBODY;
    session.flush();
  }
}

/** A placeholder that lets a flushed session be collected. */
const NOBODY: Flushable = { flush() {} };

/** `session.flush()` at the end of this tick. */
export function scheduleFlush(session: Flushable): void {
  pending[pendingCount++] = session;
  if (scheduled) return;
  scheduled = true;
  immediate(flushAll);
}

interface RawSocket {
  write(chunk: Buffer, callback: (error?: Error | null) => void): boolean;
}

/** ws's internals this relies on (ws 8): its TCP socket, and its sender's state (0: idle) and queue. */
interface WsInternals {
  _socket?: { write?: unknown; writable?: unknown };
  _sender?: { _state?: unknown; _queue?: { length: number } };
}

/**
 * The TCP socket under a ws WebSocket when a frame written to it now would
 * leave in order (ws has no frame of its own waiting); undefined otherwise,
 * or if ws's internals change.
 */
export function rawSocket(socket: WebSocket): RawSocket | undefined {
  const { _socket: raw, _sender: sender } = socket as unknown as WsInternals;
  if (!raw || typeof raw.write !== 'function' || raw.writable !== true) return undefined;
  if (!sender || sender._state !== 0 || sender._queue?.length !== 0) return undefined;
  return raw as unknown as RawSocket;
}

/** Sends the outbox's frames in order, in one write; `done` is called after it, with the error if it failed. */
export function writeFrames(socket: WebSocket, outbox: Outbox, done: (error?: Error | null) => void): void {
  const raw = rawSocket(socket);
  if (raw) {
    raw.write(outbox.encode(), done);
    return;
  }
  for (const text of outbox.texts()) socket.send(text, done);
}
