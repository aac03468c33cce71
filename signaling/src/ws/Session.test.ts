import pino from 'pino';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { REPLAY_BUFFER_SIZE, Session } from './Session.js';

/** Just what Session uses of a ws socket. */
function fakeSocket(): WebSocket & { frames: Array<{ type?: string; seq?: number }> } {
  const frames: Array<{ type?: string; seq?: number }> = [];
  return {
    OPEN: 1,
    CLOSED: 3,
    CLOSING: 2,
    readyState: 1,
    frames,
    send(text: string) {
      frames.push(JSON.parse(text) as { type?: string; seq?: number });
    },
    close() {},
  } as unknown as WebSocket & { frames: Array<{ type?: string; seq?: number }> };
}

function meetingSession(socket = fakeSocket()): Session {
  const session = new Session(socket, pino({ level: 'silent' }), 50, 30);
  session.resumeSecret = 'secret-secret-secret-00';
  return session;
}

const speaker = { peerId: null };

describe('Session replay buffer', () => {
  it('numbers a meeting session\'s notifications; a project socket\'s are not numbered', () => {
    const socket = fakeSocket();
    const meeting = meetingSession(socket);
    meeting.notify('activeSpeaker', speaker);
    meeting.notify('activeSpeaker', speaker);
    // Written together at the end of the tick (writeBatch.ts), in order.
    expect(socket.frames).toEqual([]);
    meeting.flush();
    expect(socket.frames.map((f) => f.seq)).toEqual([1, 2]);
    const projectSocket = fakeSocket();
    const project = new Session(projectSocket, pino({ level: 'silent' }), 50, 30);
    project.notify('activeSpeaker', speaker);
    project.flush();
    expect(projectSocket.frames[0]!.seq).toBeUndefined();
  });

  it('keeps the last REPLAY_BUFFER_SIZE while away and replays those after lastSeq, in order', () => {
    const session = meetingSession();
    session.dropSocket();
    for (let i = 0; i < REPLAY_BUFFER_SIZE + 10; i++) session.notify('activeSpeaker', speaker);
    expect(session.lastSeq).toBe(REPLAY_BUFFER_SIZE + 10);
    // The first ten are gone: a client that saw fewer than ten cannot resume.
    expect(session.canReplayFrom(9)).toBe(false);
    expect(session.canReplayFrom(10)).toBe(true);
    expect(session.canReplayFrom(session.lastSeq)).toBe(true);
    expect(session.canReplayFrom(session.lastSeq + 1)).toBe(false);

    const socket = fakeSocket();
    expect(session.takeSocket(socket)).toBeNull();
    session.hold();
    session.notify('activeSpeaker', speaker); // arrives during the resume: held back
    expect(socket.frames).toEqual([]);
    expect(session.release(REPLAY_BUFFER_SIZE + 5)).toBe(6);
    session.flush();
    // Those after lastSeq, the held one last.
    expect(socket.frames.map((f) => f.seq)).toEqual(Array.from({ length: 6 }, (_, i) => REPLAY_BUFFER_SIZE + 6 + i));
    session.notify('activeSpeaker', speaker);
    session.flush();
    expect(socket.frames.at(-1)!.seq).toBe(REPLAY_BUFFER_SIZE + 12);
  });

  it('writes what a tick made before closing, and a notification shared by many sessions as the same frame', async () => {
    const socket = fakeSocket();
    const session = meetingSession(socket);
    const data = { peerId: 'p1' };
    session.notifyShared('activeSpeaker', data, JSON.stringify(data));
    session.close(4000, 'bye');
    expect(socket.frames).toEqual([{ kind: 'ntf', type: 'activeSpeaker', data, seq: 1 }]);
    // Without a flush by hand, the end of the tick writes it.
    const other = fakeSocket();
    meetingSession(other).notify('activeSpeaker', data);
    await new Promise((resolve) => setImmediate(resolve));
    expect(other.frames).toEqual([{ kind: 'ntf', type: 'activeSpeaker', data, seq: 1 }]);
  });

  it('hands back the previous socket when a new one takes over', () => {
    const first = fakeSocket();
    const session = meetingSession(first);
    const second = fakeSocket();
    expect(session.takeSocket(second)).toBe(first);
    expect(session.owns(second)).toBe(true);
    expect(session.owns(first)).toBe(false);
  });
});
