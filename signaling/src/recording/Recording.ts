/**
 * One meeting's recording while it runs: a TrackRecorder per producer (those
 * there at the start, and each new one from when it is made), the active
 * speaker's changes, the limits (RECORDING_MAX_MINUTES, RECORDING_MAX_MB,
 * RECORDING_MIN_FREE_MB), and its manifest on disk, written at each change so
 * that a restarted node finds what was written (recovery.ts).
 *
 * It ends by stop(end): every writer finishes its file; what happens next
 * (the mix, the document) is the caller's (RecordingService).
 */
import { rename, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { MediaRoom, ProducerAppData } from '@chantier/sfu';
import type { Producer } from 'mediasoup/types';
import type { RecordingEnd, RecordingInfo } from '../protocol/index.js';
import type { RecordingConfig } from './config.js';
import type { SpeakerChange } from './mix.js';
import type { PortPool } from './ports.js';
import { monotonicMs, TrackRecorder, type SegmentInfo } from './TrackRecorder.js';

/** What is on disk beside the files (manifest.json). */
export interface Manifest {
  recordingId: string;
  projectId: string;
  roomId: string;
  meetingId: string;
  node: string;
  startedAt: number;
  by: RecordingInfo['by'];
  segments: SegmentInfo[];
  speakers: SpeakerChange[];
  /** ms from the start at the last check (every 2 s): how far a dead node's recording went. */
  aliveMs: number;
  end?: RecordingEnd;
  durationMs?: number;
  /** The result is stored (or there was nothing to store): the directory may go. */
  done?: boolean;
  /** Raw files left on disk after the result was stored, and why (retention.ts): for a result made again by hand. */
  kept?: Array<{ file: string; why: string }>;
}

export const MANIFEST = 'manifest.json';
const CHECK_MS = 2_000;

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const temp = join(dir, `${MANIFEST}.tmp`);
  await writeFile(temp, JSON.stringify(manifest, null, 1));
  await rename(temp, join(dir, MANIFEST));
}

/** Free bytes on the file system of `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export class Recording {
  readonly info: RecordingInfo;
  readonly manifest: Manifest;
  readonly dir: string;
  readonly #room: MediaRoom;
  readonly #config: RecordingConfig;
  readonly #ports: PortPool;
  readonly #log: FastifyBaseLogger;
  readonly #names: (peerId: string) => string;
  readonly #tracks = new Map<string, TrackRecorder>();
  readonly #starting = new Set<Promise<unknown>>();
  /** The result's time 0 on the monotonic clock: when the first tracks flow (start()). */
  #t0 = monotonicMs();
  /** Past the start's moment: new tracks flow as soon as their writer listens. */
  #flowing = false;
  readonly #onEnd: (end: RecordingEnd) => void;
  #timer: NodeJS.Timeout | undefined;
  #limit: NodeJS.Timeout | undefined;
  #manifestWrite: Promise<void> = Promise.resolve();
  #stopped: Promise<Manifest> | undefined;

  constructor(options: {
    info: RecordingInfo;
    manifest: Omit<Manifest, 'segments' | 'speakers' | 'aliveMs'>;
    dir: string;
    room: MediaRoom;
    config: RecordingConfig;
    ports: PortPool;
    log: FastifyBaseLogger;
    /** A participant's display name, for the files. */
    names: (peerId: string) => string;
    /** The recording ended by itself (limit, disk, worker): the service stops it with this. */
    onEnd: (end: RecordingEnd) => void;
  }) {
    this.info = options.info;
    this.dir = options.dir;
    this.#room = options.room;
    this.#config = options.config;
    this.#ports = options.ports;
    this.#log = options.log;
    this.#names = options.names;
    this.#onEnd = options.onEnd;
    this.manifest = { ...options.manifest, segments: [], speakers: [], aliveMs: 0 };
  }

  get stopping(): boolean {
    return this.#stopped !== undefined;
  }

  /**
   * Records every producer of the room, and follows the speaker, the limits
   * and the room's fate. The first tracks' writers are all started first and
   * their consumers then let flow together: that moment is the recording's
   * start (time 0 of the result; resolves with it, ms since the epoch), so
   * that nobody's first seconds are missing while the others' writers start
   * (a second or two on a loaded machine).
   */
  async start(): Promise<number> {
    this.#room.once('close', this.#onRoomClose);
    for (const peer of this.#room.peers.values()) for (const producer of peer.producers.values()) this.add(producer);
    await Promise.allSettled([...this.#starting]);
    this.#t0 = monotonicMs();
    this.#flowing = true;
    const startedAt = Date.now();
    this.manifest.startedAt = startedAt;
    await Promise.allSettled([...this.#tracks.values()].map((track) => track.release()));
    // Stopped meanwhile (the room closed, a moderator): nothing more to follow.
    if (this.#stopped) return startedAt;
    this.#speaker(this.#room.activeSpeaker);
    this.#room.on('activespeaker', this.#onSpeaker);
    this.#limit = setTimeout(() => this.#onEnd('max-duration'), this.info.endsBy - this.info.startedAt);
    this.#timer = setInterval(() => void this.#check(), CHECK_MS);
    await this.#save();
    return startedAt;
  }

  /** A producer to record from now (a new one mid-recording). */
  add(producer: Producer<ProducerAppData>): void {
    if (this.#stopped || producer.closed || this.#tracks.has(producer.id)) return;
    const recording = this;
    const started = TrackRecorder.start(
      {
        room: this.#room,
        dir: this.dir,
        ffmpeg: this.#config.ffmpeg,
        ports: this.#ports,
        log: this.#log,
        get t0() {
          return recording.#t0;
        },
        displayName: this.#names(producer.appData.peerId),
        changed: () => this.#sync(),
      },
      producer,
      // Before the start's moment, held (start() lets them flow together).
      !this.#flowing,
    ).then(
      (track) => {
        this.#tracks.set(producer.id, track);
        if (this.#stopped) void track.finish();
        else if (this.#flowing) void track.release().catch(() => {});
        this.#sync();
      },
      (error: unknown) => {
        if (!producer.closed && !this.#room.closed) this.#log.warn({ err: error, producerId: producer.id }, 'recording: track not recorded');
      },
    );
    this.#starting.add(started);
    void started.finally(() => this.#starting.delete(started));
  }

  /** Idempotent: every writer finishes; resolves with the manifest as it ends. */
  stop(end: RecordingEnd): Promise<Manifest> {
    this.#stopped ??= (async () => {
      clearInterval(this.#timer);
      clearTimeout(this.#limit);
      this.#room.off('activespeaker', this.#onSpeaker);
      this.#room.off('close', this.#onRoomClose);
      const durationMs = monotonicMs() - this.#t0;
      await Promise.allSettled([...this.#starting]);
      await Promise.allSettled([...this.#tracks.values()].map((t) => t.finish()));
      this.manifest.end = end;
      this.manifest.durationMs = durationMs;
      this.manifest.aliveMs = durationMs;
      await this.#save();
      this.#log.info({ end, durationMs, files: this.manifest.segments.length }, 'recording stopped');
      return this.manifest;
    })();
    return this.#stopped;
  }

  #onSpeaker = (peerId: string | null): void => this.#speaker(peerId);
  #onRoomClose = (reason: string): void => {
    this.#onEnd(reason === 'worker-died' ? 'worker-died' : reason === 'shutdown' ? 'server-stopped' : 'meeting-ended');
  };

  #speaker(peerId: string | null): void {
    this.manifest.speakers.push({ atMs: Math.max(0, monotonicMs() - this.#t0), peerId });
    this.#sync();
  }

  /** The segments of every track, in the manifest, written soon. */
  #sync(): void {
    const segments: SegmentInfo[] = [];
    for (const track of this.#tracks.values()) segments.push(...track.segments);
    this.manifest.segments = segments;
    void this.#save();
  }

  #save(): Promise<void> {
    this.#manifestWrite = this.#manifestWrite
      .then(() => writeManifest(this.dir, this.manifest))
      .catch((error: unknown) => this.#log.warn({ err: error }, 'recording manifest not written'));
    return this.#manifestWrite;
  }

  /** Every 2 s: how far it went (for a restart), and the disk limits. */
  async #check(): Promise<void> {
    if (this.#stopped) return;
    this.manifest.aliveMs = monotonicMs() - this.#t0;
    void this.#save();
    try {
      let used = 0;
      for (const s of this.manifest.segments) used += (await stat(join(this.dir, s.file)).catch(() => undefined))?.size ?? 0;
      const free = await freeBytes(this.dir);
      if (used >= this.#config.maxBytes || free < this.#config.minFreeBytes) {
        this.#log.warn({ used, free, maxBytes: this.#config.maxBytes, minFreeBytes: this.#config.minFreeBytes }, 'recording: disk limit reached');
        this.#onEnd('disk-full');
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'recording: disk check failed');
    }
  }
}
