import { describe, expect, it } from 'vitest';
import type { NotificationData, NotificationType, RecordingInfo } from '@chantier/signaling/protocol';
import type { SignalingChannel } from '../signaling/Connection';
import { createRecordingState, RecordingController } from './RecordingController';

/** A socket that answers recordingStatus and lets the test push notifications. */
class FakeSocket {
  readonly listeners = new Map<string, (data: unknown) => void>();
  constructor(private readonly recording: RecordingInfo | null) {}
  async request(type: string): Promise<unknown> {
    return type === 'recordingStatus' ? { recording: this.recording } : {};
  }
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    this.listeners.set(type, listener as (data: unknown) => void);
    return () => this.listeners.delete(type);
  }
  push<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.listeners.get(type)?.(data);
  }
}

const recording: RecordingInfo = { recordingId: 'r1', startedAt: 1, by: { userId: 'lea', displayName: 'Léa' }, endsBy: 2 };
const lost = (recordingId: string, source: 'mic' | 'camera' = 'mic'): NotificationData<'recordingTrackFailed'> => ({
  code: 'RECORDING_TRACK_FAILED',
  recordingId,
  peerId: 'p-bruno',
  displayName: 'Bruno',
  source,
});

describe('RecordingController', () => {
  it('keeps the tracks a moderator is told are no longer recorded, for this recording only, until it ends', async () => {
    const socket = new FakeSocket(recording);
    const controller = new RecordingController(createRecordingState());
    controller.attach(socket as unknown as SignalingChannel);
    await new Promise((r) => setTimeout(r, 0));
    expect(controller.state.recording.value?.recordingId).toBe('r1');

    socket.push('recordingTrackFailed', lost('r1'));
    socket.push('recordingTrackFailed', lost('r1')); // told twice: listed once
    socket.push('recordingTrackFailed', lost('r1', 'camera'));
    socket.push('recordingTrackFailed', lost('r0')); // an earlier recording's
    expect(controller.state.lostTracks.value.map((l) => l.source)).toEqual(['mic', 'camera']);

    socket.push('recordingState', { recording: null, end: 'stopped' });
    expect(controller.state.lostTracks.value).toEqual([]);
  });
});
