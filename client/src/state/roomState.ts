/**
 * The room's state as signals. Components read them; only the RoomController
 * writes them (see room/RoomController.ts).
 *
 * MediaStreamTracks appear here as opaque references for <video>/<audio>
 * elements to attach with `srcObject`; nothing else about media is in state,
 * and never a mediasoup object.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { LobbyEntry, MediaSource, ModerationAction, Quality, Role, RoomPolicy } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';
import type { Participant } from './participants';
import type { ScreenStillView } from '../stage/screenStill';

export type { Participant } from './participants';

/**
 * 'waiting': a guest knocked and waits for a moderator to admit them (the
 * meeting's guest lobby); admitted, they go on to 'joining' by themselves.
 */
export type Phase = 'connecting' | 'lobby' | 'joining' | 'waiting' | 'joined' | 'left' | 'ended' | 'disconnected' | 'error';

/** The meeting's rules before the server says otherwise. */
export const DEFAULT_POLICY: RoomPolicy = { locked: false, allowSelfUnmute: true, guestLobby: false };

export interface SelfInfo {
  peerId: string;
  userId: string;
  displayName: string;
  role: Role;
}

export interface DeviceOption {
  deviceId: string;
  /** Empty until the user grants access (browsers hide labels before that). */
  label: string;
}

/** Why a local device is unavailable; joining goes on without it. */
export type DeviceIssue = 'NO_DEVICE' | 'PERMISSION_DENIED';

/** This participant's screen share: the picker or the producer on its way is 'starting'. */
export type ScreenShareState = 'off' | 'starting' | 'on';

/** Why a screen share did not start (closing the picker is not one: nothing to say then). */
export type ScreenIssue = 'FAILED';

/** What a moderator did to this participant, shown until dismissed (or replaced by the next one). */
export interface ModerationNotice {
  action: Exclude<ModerationAction, 'remove'>;
  /** The moderator's display name. */
  by: string;
  /** Mute only: the meeting does not let this participant unmute themselves. */
  locked: boolean;
}

/** The worse of the send and receive transports' ICE/DTLS states. */
export type MediaConnection = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** What one tile shows; self included. Derived, never written. */
export interface TileModel {
  peerId: string;
  displayName: string;
  isSelf: boolean;
  videoTrack: MediaStreamTrack | null;
  /** Remote audio only: self is never played back. */
  audioTrack: MediaStreamTrack | null;
  /** Shares a screen (shown on the stage, not in the tile). */
  sharingScreen: boolean;
  micMuted: boolean;
  cameraOff: boolean;
  speaking: boolean;
  /** The producer behind videoTrack, for the viewport report; null for self or no video. */
  videoProducerId: string | null;
  /** This participant receives no video (audio-only mode). */
  audioOnly: boolean;
  /** From the server's connectionQuality; null until the first one. */
  quality: Quality | null;
  handRaised: boolean;
}

export interface RoomState {
  phase: Signal<Phase>;
  /** Set with phase 'error'. */
  error: Signal<AppErrorCode | null>;
  /** Set with phase 'ended': the server's CloseReason ('shutdown', 'replaced', ...). */
  endedReason: Signal<string | null>;
  self: Signal<SelfInfo | null>;
  /** The name typed on the join screen; prefilled from self.displayName. */
  displayName: Signal<string>;
  /** Remote participants, in order of arrival. */
  participants: Signal<readonly Participant[]>;
  micEnabled: Signal<boolean>;
  cameraEnabled: Signal<boolean>;
  activeSpeakerId: Signal<string | null>;
  audioInputs: Signal<readonly DeviceOption[]>;
  videoInputs: Signal<readonly DeviceOption[]>;
  selectedAudioInputId: Signal<string | null>;
  selectedVideoInputId: Signal<string | null>;
  localAudioTrack: Signal<MediaStreamTrack | null>;
  /** The camera preview in the lobby, the self view in the room. */
  localVideoTrack: Signal<MediaStreamTrack | null>;
  audioIssue: Signal<DeviceIssue | null>;
  videoIssue: Signal<DeviceIssue | null>;
  mediaConnection: Signal<MediaConnection>;
  /** The signaling socket: 'reconnecting' while a lost one is being replaced (the session resumes). */
  connection: Signal<'ok' | 'reconnecting'>;
  /** False where the browser cannot capture a screen (phones): no share button. */
  canShareScreen: Signal<boolean>;
  screenShare: Signal<ScreenShareState>;
  screenIssue: Signal<ScreenIssue | null>;
  /** A toggle or device switch is in flight; controls wait for it. */
  busy: Signal<ReadonlySet<MediaSource>>;
  /**
   * Receive no video at all, send none (set before joining by the join
   * screen or a call link; switchable during the meeting).
   */
  audioOnly: Signal<boolean>;
  /** Each peer's connection quality (self included), from connectionQuality. */
  quality: Signal<ReadonlyMap<string, Quality>>;
  /** This participant's raised hand. */
  handRaised: Signal<boolean>;
  /** The meeting's moderation rules (from join, then roomPolicy). */
  policy: Signal<RoomPolicy>;
  /** Moderators: the guests waiting to be admitted (from join, then lobby notifications). */
  lobby: Signal<readonly LobbyEntry[]>;
  /** Phase 'waiting': how many moderators are in the meeting (0: nobody can admit yet). */
  moderatorsPresent: Signal<number>;
  /** The last moderation that hit this participant (muted, camera stopped...). */
  moderationNotice: Signal<ModerationNotice | null>;
  /** A moderator muted this participant and the meeting does not let them unmute themselves. */
  micLocked: Signal<boolean>;
  /** Set with phase 'ended' and endedReason 'removed': the moderator's name. */
  removedBy: Signal<string | null>;
  /** Self first, then the others. */
  tiles: ReadonlySignal<readonly TileModel[]>;
  /** Still pictures shown instead of a shared screen's video, by the sharer's peer id (room/StillReceiver.ts). */
  screenStills: Signal<ReadonlyMap<string, ScreenStillView>>;
}

export function createRoomState(): RoomState {
  const self = signal<SelfInfo | null>(null);
  const participants = signal<readonly Participant[]>([]);
  const micEnabled = signal(true);
  const cameraEnabled = signal(true);
  const activeSpeakerId = signal<string | null>(null);
  const localAudioTrack = signal<MediaStreamTrack | null>(null);
  const localVideoTrack = signal<MediaStreamTrack | null>(null);
  const screenShare = signal<ScreenShareState>('off');
  const audioOnly = signal(false);
  const quality = signal<ReadonlyMap<string, Quality>>(new Map());
  const handRaised = signal(false);

  const tiles = computed<readonly TileModel[]>(() => {
    const me = self.value;
    const qualities = quality.value;
    const others = participants.value.map(
      (p): TileModel => ({
        peerId: p.peerId,
        displayName: p.displayName,
        isSelf: false,
        videoTrack: p.cameraOff ? null : p.videoTrack,
        audioTrack: p.audioTrack,
        sharingScreen: p.producers.some((producer) => producer.source === 'screen'),
        micMuted: p.micMuted,
        cameraOff: p.cameraOff || !p.videoTrack,
        speaking: p.speaking,
        videoProducerId: p.videoTrack ? (p.producers.find((x) => x.source === 'camera')?.producerId ?? null) : null,
        audioOnly: p.audioOnly,
        quality: qualities.get(p.peerId) ?? null,
        handRaised: p.handRaised,
      }),
    );
    if (!me) return others;
    const video = cameraEnabled.value ? localVideoTrack.value : null;
    const selfTile: TileModel = {
      peerId: me.peerId,
      displayName: me.displayName,
      isSelf: true,
      videoTrack: video,
      audioTrack: null,
      sharingScreen: screenShare.value === 'on',
      micMuted: !micEnabled.value || !localAudioTrack.value,
      cameraOff: !video,
      speaking: activeSpeakerId.value === me.peerId,
      videoProducerId: null,
      audioOnly: audioOnly.value,
      quality: qualities.get(me.peerId) ?? null,
      handRaised: handRaised.value,
    };
    return [selfTile, ...others];
  });

  return {
    phase: signal<Phase>('connecting'),
    error: signal<AppErrorCode | null>(null),
    endedReason: signal<string | null>(null),
    self,
    displayName: signal(''),
    participants,
    micEnabled,
    cameraEnabled,
    activeSpeakerId,
    audioInputs: signal<readonly DeviceOption[]>([]),
    videoInputs: signal<readonly DeviceOption[]>([]),
    selectedAudioInputId: signal<string | null>(null),
    selectedVideoInputId: signal<string | null>(null),
    localAudioTrack,
    localVideoTrack,
    audioIssue: signal<DeviceIssue | null>(null),
    videoIssue: signal<DeviceIssue | null>(null),
    mediaConnection: signal<MediaConnection>('new'),
    connection: signal<'ok' | 'reconnecting'>('ok'),
    canShareScreen: signal(false),
    screenShare,
    screenIssue: signal<ScreenIssue | null>(null),
    busy: signal<ReadonlySet<MediaSource>>(new Set()),
    audioOnly,
    quality,
    handRaised,
    policy: signal<RoomPolicy>(DEFAULT_POLICY),
    lobby: signal<readonly LobbyEntry[]>([]),
    moderatorsPresent: signal(0),
    moderationNotice: signal<ModerationNotice | null>(null),
    micLocked: signal(false),
    removedBy: signal<string | null>(null),
    tiles,
    screenStills: signal<ReadonlyMap<string, ScreenStillView>>(new Map()),
  };
}
