/**
 * What Redis keeps of recordings (keys.ts meetingRecording, recordings): the
 * one in progress in a meeting, so that a reload, a resumed session or
 * another node sees it (and a second start is refused, SET NX), and the
 * finished ones for the meeting history.
 */
import type { RedisClient } from '../redis/client.js';
import type { RecordingInfo, RecordingSummary } from '../protocol/index.js';
import type { Keys } from '../store/keys.js';

/** The live key's lifetime; the recording node renews it at a third of it. */
export const LIVE_TTL_MS = 90_000;

/**
 * KEYS: the project's recordings hash. ARGV: meeting id, recording id, the
 * summary's JSON. The meeting's list is a JSON array of objects: split at its
 * top level (strings skipped, so that a name holding braces or quotes does
 * not count), the same recording's entry dropped, the new one appended. The
 * kept entries are copied as they were written, not decoded and encoded again
 * (cjson would write an empty array as an object and long numbers rounded).
 */
const ADD_SUMMARY_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local kept = {}
if raw then
  local depth, inString, escaped, start = 0, false, false, 1
  for i = 1, #raw do
    local c = string.sub(raw, i, i)
    if inString then
      if escaped then escaped = false
      elseif c == '\\\\' then escaped = true
      elseif c == '"' then inString = false end
    elseif c == '"' then inString = true
    elseif c == '{' or c == '[' then
      if depth == 1 then start = i end
      depth = depth + 1
    elseif c == '}' or c == ']' then
      depth = depth - 1
      if depth == 1 then
        local entry = string.sub(raw, start, i)
        if cjson.decode(entry).recordingId ~= ARGV[2] then table.insert(kept, entry) end
      end
    end
  end
end
table.insert(kept, ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], '[' .. table.concat(kept, ',') .. ']')
return #kept
`;

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

  /**
   * Adds (or replaces, by recordingId) a recording of a meeting's history, in
   * one script: two results stored at once (a stop and a recovery, two
   * recordings of one meeting) must not overwrite each other's read.
   */
  async addSummary(projectId: string, meetingId: string, summary: RecordingSummary): Promise<void> {
    await this.redis.eval(ADD_SUMMARY_SCRIPT, {
      keys: [this.keys.recordings(projectId)],
      arguments: [meetingId, summary.recordingId, JSON.stringify(summary)],
    });
  }

  /** Recordings by meeting id. */
  async summaries(projectId: string): Promise<Map<string, RecordingSummary[]>> {
    const all = await this.redis.hGetAll(this.keys.recordings(projectId));
    return new Map(Object.entries(all).map(([meetingId, raw]) => [meetingId, JSON.parse(raw) as RecordingSummary[]]));
  }
}
