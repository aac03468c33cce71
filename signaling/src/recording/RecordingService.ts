/**
 * Recording meetings (issue 22), as the handlers and the rest of the app
 * see it (app.recordings): start and stop by owners and moderators, the
 * state for everyone attached (join screen included) and in Redis, the
 * chat lines, each new producer recorded from when it is made, and the
 * result made and stored when a recording ends, whatever ended it.
 *
 * One Recording per meeting held by this node; a recording ends with its
 * meeting (the last one leaves), a worker's death, a limit, or shutdown.
 * A node that died mid-recording leaves its files and manifest: its next
 * start makes a partial result of them (recovery.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ProducerAppData } from '@chantier/sfu';
import type { Producer } from 'mediasoup/types';
import { AppError } from '../errors.js';
import { canModerate, ErrorCode, type RecordingEnd, type RecordingInfo } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { ChatStore } from '../store/chat.js';
import type { Session } from '../ws/Session.js';
import type { RecordingConfig } from './config.js';
import { PortPool } from './ports.js';
import { publishRecording, stoppedText, type PublishContext } from './publish.js';
import { freeBytes, Recording } from './Recording.js';
import { LIVE_TTL_MS, type RecordingStore } from './RecordingStore.js';

export interface RecordingServiceOptions {
  config: RecordingConfig;
  store: RecordingStore;
  chat: ChatStore;
  publish: Omit<PublishContext, 'store' | 'log' | 'ffmpeg' | 'width' | 'height'>;
  log: FastifyBaseLogger;
  nodeId: string;
}

export class RecordingService {
  readonly #o: RecordingServiceOptions;
  readonly #ports: PortPool;
  readonly #byRoom = new Map<Room, Recording>();
  /** Results being made (tests and shutdown wait for them). */
  readonly #publishing = new Set<Promise<unknown>>();
  readonly #renew: NodeJS.Timeout;

  constructor(options: RecordingServiceOptions) {
    this.#o = options;
    this.#ports = new PortPool(options.config.portMin, options.config.portMax);
    this.#renew = setInterval(() => {
      for (const [room, recording] of this.#byRoom) {
        this.#o.store.renew(room.projectId, room.roomId, recording.info.recordingId).catch(() => {});
      }
    }, LIVE_TTL_MS / 3);
  }

  get publishContext(): PublishContext {
    const { config } = this.#o;
    return { ...this.#o.publish, store: this.#o.store, log: this.#o.log, ffmpeg: config.ffmpeg, width: config.width, height: config.height };
  }

  /** The recording in progress in this session's meeting (this node's, else what Redis says). */
  async status(session: Session): Promise<RecordingInfo | null> {
    const room = session.room;
    if (!room) throw new AppError(ErrorCode.BAD_REQUEST, 'not a meeting socket');
    const local = this.#byRoom.get(room);
    if (local) return local.stopping ? null : local.info;
    const live = await this.#o.store.live(room.projectId, room.roomId);
    return live ? { recordingId: live.recordingId, startedAt: live.startedAt, by: live.by, endsBy: live.endsBy } : null;
  }

  async start(session: Session): Promise<RecordingInfo> {
    const room = this.#moderatorRoom(session);
    const { config } = this.#o;
    if (this.#byRoom.has(room)) throw new AppError(ErrorCode.RECORDING_ACTIVE, 'the meeting is already being recorded');
    // The join's records follow its answer: a start sent right after the join waits for them.
    const meetingId = await session.recordedMeetingId();
    if (!meetingId) throw new AppError(ErrorCode.NOT_FOUND, 'this meeting has no record to keep a recording in');
    await mkdir(config.dir, { recursive: true });
    if ((await freeBytes(config.dir)) < config.minFreeBytes) {
      throw new AppError(ErrorCode.RECORDING_DISK_FULL, 'the server lacks disk space to record');
    }
    const identity = session.identity!;
    const by = { userId: identity.userId, displayName: session.displayName ?? identity.displayName };
    const startedAt = Date.now();
    const info: RecordingInfo = {
      recordingId: randomBytes(9).toString('base64url'),
      startedAt,
      by,
      endsBy: startedAt + config.maxMinutes * 60_000,
    };
    if (!(await this.#o.store.claim(room.projectId, room.roomId, { ...info, node: this.#o.nodeId, meetingId }))) {
      throw new AppError(ErrorCode.RECORDING_ACTIVE, 'the meeting is already being recorded');
    }
    // Checked again after the await: a second start may have raced this one on this node.
    if (this.#byRoom.has(room) || room.closed) {
      await this.#o.store.release(room.projectId, room.roomId, info.recordingId);
      throw new AppError(ErrorCode.RECORDING_ACTIVE, 'the meeting is already being recorded');
    }
    const dir = join(config.dir, info.recordingId);
    await mkdir(dir, { recursive: true });
    const log = this.#o.log.child({ projectId: room.projectId, roomId: room.roomId, recordingId: info.recordingId });
    const recording = new Recording({
      info,
      manifest: { recordingId: info.recordingId, projectId: room.projectId, roomId: room.roomId, meetingId, node: this.#o.nodeId, startedAt, by },
      dir,
      room: room.media,
      config,
      ports: this.#ports,
      log,
      names: (peerId) => {
        const s = room.joinedSessions.get(peerId);
        return s?.displayName ?? s?.identity?.displayName ?? peerId;
      },
      onEnd: (end) => void this.#end(room, recording, end),
    });
    this.#byRoom.set(room, recording);
    // It starts, and everyone is told, once every writer listens (Recording.start).
    info.startedAt = await recording.start();
    info.endsBy = info.startedAt + config.maxMinutes * 60_000;
    if (recording.stopping) return info; // ended while its writers started (told by #end)
    await this.#o.store.update(room.projectId, room.roomId, { ...info, node: this.#o.nodeId, meetingId }).catch(() => {});
    log.info({ by: by.userId, maxMinutes: config.maxMinutes, startMs: info.startedAt - startedAt }, 'recording started');
    this.#tell(room, { recording: info });
    await this.#chat(room, 'recording-started', by, 'Enregistrement démarré', meetingId, info.recordingId);
    return info;
  }

  async stop(session: Session): Promise<void> {
    const room = this.#moderatorRoom(session);
    const recording = this.#byRoom.get(room);
    if (!recording || recording.stopping) throw new AppError(ErrorCode.NOT_RECORDING, 'the meeting is not being recorded');
    void this.#end(room, recording, 'stopped');
  }

  /** A participant's new producer: recorded from now when the meeting is. */
  producerAdded(room: Room, producer: Producer<ProducerAppData>): void {
    this.#byRoom.get(room)?.add(producer);
  }

  /** Resolves when every result being made is stored (or failed). */
  async settled(): Promise<void> {
    while (this.#publishing.size > 0) await Promise.allSettled([...this.#publishing]);
  }

  /** Shutdown: every recording ends ('server-stopped') and its result is made before Redis closes. */
  async close(): Promise<void> {
    clearInterval(this.#renew);
    for (const [room, recording] of [...this.#byRoom]) void this.#end(room, recording, 'server-stopped');
    await this.settled();
  }

  /** Runs `task` as a result being made (recovery uses it too). */
  track<T>(task: Promise<T>): Promise<T> {
    this.#publishing.add(task);
    void task.finally(() => this.#publishing.delete(task)).catch(() => {});
    return task;
  }

  async #end(room: Room, recording: Recording, end: RecordingEnd): Promise<void> {
    if (recording.stopping || this.#byRoom.get(room) !== recording) return;
    const { recordingId, by } = recording.info;
    const meetingId = recording.manifest.meetingId;
    const task = (async () => {
      const stopping = recording.stop(end);
      this.#tell(room, { recording: null, end });
      const manifest = await stopping;
      this.#byRoom.delete(room);
      await this.#o.store.release(room.projectId, room.roomId, recordingId).catch(() => {});
      await this.#chat(room, 'recording-stopped', by, stoppedText(end), meetingId, recordingId).catch(() => {});
      try {
        await publishRecording(this.publishContext, recording.dir, manifest);
      } catch (error) {
        this.#o.log.error({ err: error, recordingId, dir: recording.dir }, 'recording result not stored; its files are kept');
      }
    })();
    await this.track(task);
  }

  #moderatorRoom(session: Session): Room {
    if (!canModerate(session.identity!)) throw new AppError(ErrorCode.FORBIDDEN, 'only a moderator may record the meeting');
    const room = session.room;
    if (!room || room.closed) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    return room;
  }

  #tell(room: Room, data: { recording: RecordingInfo | null; end?: RecordingEnd }): void {
    for (const session of room.attachedSessions) session.notify('recordingState', data);
  }

  async #chat(room: Room, kind: 'recording-started' | 'recording-stopped', author: RecordingInfo['by'], text: string, meetingId: string, recordingId: string): Promise<void> {
    await this.#o.chat
      .send(room.projectId, { clientMessageId: `sys-${kind}-${recordingId}`, kind, author, text, meetingId })
      .catch((error: unknown) => this.#o.log.warn({ err: error, kind }, 'recording chat line not written'));
  }
}
