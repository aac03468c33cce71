/**
 * The RoomController's contract with the rest of the client: what the UI may
 * ask of it (RoomActions), how start/meeting.ts makes it (RoomControllerOptions),
 * and what may use the meeting's socket beside it (SocketUser). Re-exported by
 * RoomController.ts, where importers find them.
 */
import type { ModerationAction, ResponseData } from '@chantier/signaling/protocol';
import type { Connection, ConnectionOptions, SignalingChannel } from '../signaling/Connection';
import type { RoomState } from '../state/roomState';
import type { ScreenTuning } from './screenTuning';

/** What the UI may ask for. */
export interface RoomActions {
  setDisplayName(name: string): void;
  selectAudioInput(deviceId: string): Promise<void>;
  selectVideoInput(deviceId: string): Promise<void>;
  setMicEnabled(enabled: boolean): Promise<void>;
  setCameraEnabled(enabled: boolean): Promise<void>;
  /** Opens the browser's picker and shares what is picked; false stops sharing. */
  setScreenSharing(enabled: boolean): Promise<void>;
  /** Hides the notice of a share that could not start. */
  dismissScreenIssue(): void;
  /** Receive and send no video (before joining or during the meeting). */
  setAudioOnly(enabled: boolean): Promise<void>;
  /** A <video> showing a remote producer, for the viewport report; returns the way to stop. */
  observeVideo(element: Element, producerId: string): () => void;
  join(): Promise<void>;
  leave(): Promise<void>;
  /** Raise or lower this participant's hand. */
  setHandRaised(raised: boolean): Promise<void>;
  /** Moderators: act on another participant (the server refuses anyone else). */
  moderate(peerId: string, action: ModerationAction): Promise<void>;
  /** Moderators: lock or unlock the meeting to new joins. */
  setRoomLocked(locked: boolean): Promise<void>;
  /** Moderators: whether those they mute may unmute themselves. */
  setSelfUnmuteAllowed(allowed: boolean): Promise<void>;
  /** Moderators: end the meeting for everyone. */
  endMeetingForAll(): Promise<void>;
  /** Moderators: let a guest waiting in the lobby in, or refuse them. */
  admit(peerId: string, allow: boolean): Promise<void>;
  /** Moderators: whether guests wait in the lobby (off lets everyone waiting in). */
  setGuestLobby(enabled: boolean): Promise<void>;
  /** Hides the notice of what a moderator did ("X a coupé votre micro"). */
  dismissModerationNotice(): void;
  /** From the left/ended/error/disconnected screens: back to the lobby, or straight in after a lost connection. */
  rejoin(): Promise<void>;
}

export interface RoomControllerOptions {
  state: RoomState;
  /** The signaling endpoint (see signaling/socketUrl.ts). */
  url: string;
  mediaDevices: MediaDevices | null;
  /** `join` tells the server whether this is a phone (it may send it less video). */
  isPhone: () => boolean;
  createConnection?: (options: ConnectionOptions) => Connection;
  /** Others that use the meeting's socket beside the media (the chat). */
  socketUsers?: readonly SocketUser[];
  /** Codec and bitrate of a screen share; producerOptions.ts has the defaults. */
  screenTuning?: ScreenTuning;
}

/**
 * Something that uses the meeting's socket without owning it: attached after
 * each successful hello, detached when the socket goes. The UI never gets
 * the socket; the user (ChatController) exposes actions and signals.
 */
export interface SocketUser {
  attach(signaling: SignalingChannel, hello: ResponseData<'hello'>): void;
  /** After a successful join, with its answer (e.g. the presentation in progress). */
  joined?(answer: ResponseData<'join'>): void;
  detach(): void;
}
