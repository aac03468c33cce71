/**
 * What Redis keeps of recordings (keys.ts meetingRecording, recordings): the
 * one in progress in a meeting, so that a reload, a resumed session or
 * another node sees it (and a second start is refused, SET NX), and the
 * finished ones for the meeting history.
 */
import type { RedisClient } from '../plugins/redis.js';
import type { RecordingInfo, RecordingSummary } from '../protocol/index.js';
import type { Keys } from '../store/keys.js';

/** The live key's lifetime; the recording node renews it at a third of it. */
export const LIVE_TTL_MS = 90_000;

export interface LiveRecording extends RecordingInfo {
  node: string;
  meetingId: string;
}

export class RecordingStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Claims the meeting's recording; false when one is in progress. */
  async claim(projectId: string, roomId: string, live: LiveRecording): Promise<boolean> {
    const set = await this.redis.set(this.keys.meetingRecording(projectId, roomId), JSON.stringify(live), { NX: true, PX: LIVE_TTL_MS });
    return set === 'OK';
  }

  async renew(projectId: string, roomId: string, recordingId: string): Promise<void> {
    const key = this.keys.meetingRecording(projectId, roomId);
    const current = await this.live(projectId, roomId);
    if (current?.recordingId === recordingId) await this.redis.pExpire(key, LIVE_TTL_MS);
  }

  /** Rewrites the live record if it is still this recording's (its start, once its writers listen). */
  async update(projectId: string, roomId: string, live: LiveRecording): Promise<void> {
    const current = await this.live(projectId, roomId);
    if (current?.recordingId === live.recordingId) {
      await this.redis.set(this.keys.meetingRecording(projectId, roomId), JSON.stringify(live), { XX: true, PX: LIVE_TTL_MS });
    }
  }

  async live(projectId: string, roomId: string): Promise<LiveRecording | undefined> {
    const raw = await this.redis.get(this.keys.meetingRecording(projectId, roomId));
    return raw ? (JSON.parse(raw) as LiveRecording) : undefined;
  }

  /** Clears the live key if it is still this recording's. */
  async release(projectId: string, roomId: string, recordingId: string): Promise<void> {
    const current = await this.live(projectId, roomId);
    if (current?.recordingId === recordingId) await this.redis.del(this.keys.meetingRecording(projectId, roomId));
  }

  /** Adds (or replaces, by recordingId) a recording of a meeting's history. */
  async addSummary(projectId: string, meetingId: string, summary: RecordingSummary): Promise<void> {
    const key = this.keys.recordings(projectId);
    const raw = await this.redis.hGet(key, meetingId);
    const list = (raw ? (JSON.parse(raw) as RecordingSummary[]) : []).filter((r) => r.recordingId !== summary.recordingId);
    list.push(summary);
    await this.redis.hSet(key, meetingId, JSON.stringify(list));
  }

  /** Recordings by meeting id. */
  async summaries(projectId: string): Promise<Map<string, RecordingSummary[]>> {
    const all = await this.redis.hGetAll(this.keys.recordings(projectId));
    return new Map(Object.entries(all).map(([meetingId, raw]) => [meetingId, JSON.parse(raw) as RecordingSummary[]]));
  }
}
