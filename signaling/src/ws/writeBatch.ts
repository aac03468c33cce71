/**
 * Socket writes batched per tick: a session queues the frames it is given
 * (Session.#write) and is flushed once, after the current I/O callbacks
 * (setImmediate), with its TCP socket corked, so that every frame the tick
 * made for it leaves in one write (one syscall) instead of one each. A chat
 * burst or a presence change fanned out to a project costs a write per
 * socket, not per message.
 */
import type { WebSocket } from 'ws';

interface Flushable {
  flush(): void;
}

const pending = new Set<Flushable>();
/** Node's own, taken at load: a test's fake timers must not hold every later flush back. */
const immediate = globalThis.setImmediate;
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const sessions = [...pending];
  pending.clear();
  for (const session of sessions) session.flush();
}

/** `session.flush()` at the end of this tick (once, however often asked). */
export function scheduleFlush(session: Flushable): void {
  pending.add(session);
  if (scheduled) return;
  scheduled = true;
  immediate(flushAll);
}

/** The TCP socket under a ws WebSocket (ws keeps it as `_socket`); undefined if that changes. */
function rawSocket(socket: WebSocket): { cork(): void; uncork(): void } | undefined {
  const raw = (socket as unknown as { _socket?: { cork?: unknown; uncork?: unknown } })._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function'
    ? (raw as { cork(): void; uncork(): void })
    : undefined;
}

/** Sends text frames in order, corked into one write. */
export function writeFrames(socket: WebSocket, frames: readonly string[], onError: (error: Error) => void): void {
  const raw = frames.length > 1 ? rawSocket(socket) : undefined;
  raw?.cork();
  try {
    const last = frames.length - 1;
    for (let i = 0; i < last; i++) socket.send(frames[i]!);
    socket.send(frames[last]!, (error) => {
      if (error) onError(error);
    });
  } finally {
    raw?.uncork();
  }
}
