/**
 * Calls as signals: the call ringing here, the call this user placed, the
 * last failure. Components read them; only CallController writes them.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { CallInfo, NotificationData } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';

/** A call's room id is this prefix and the call id (the server makes it). */
export const CALL_ROOM_PREFIX = 'appel-';

export function isCallRoom(roomId: string): boolean {
  return roomId.startsWith(CALL_ROOM_PREFIX);
}

export type CallAnswer = NotificationData<'callUpdate'>['answer'];
export type CallEndReason = NotificationData<'callEnded'>['reason'];

/** What the ringtone does: off, playing, or blocked by the browser's autoplay rules (the screen still rings). */
export type RingtoneState = 'off' | 'playing' | 'blocked';

export interface OutgoingCall {
  call: CallInfo;
  /** Answers so far, by invitee user id. */
  answers: Readonly<Record<string, CallAnswer>>;
  /** Set when the call stopped ringing with nobody on the line (all declined, rang out, cancelled). */
  ended: CallEndReason | null;
}

export interface CallState {
  /** A call ringing on this page (null: none). */
  incoming: Signal<CallInfo | null>;
  /** callAnswer is in flight: the buttons wait. */
  answering: Signal<boolean>;
  /** The call this user placed, while someone may still answer it. */
  outgoing: Signal<OutgoingCall | null>;
  /** callStart is in flight. */
  placing: Signal<boolean>;
  /** The last call that could not be placed or answered. */
  error: Signal<AppErrorCode | null>;
  ringtone: Signal<RingtoneState>;
  /** Sockets usable for calls (the page's socket said hello). */
  connected: Signal<boolean>;
  /** Someone accepted the outgoing call: the "calling…" screen gives way to the meeting. */
  outgoingAnswered: ReadonlySignal<boolean>;
}

export function createCallState(): CallState {
  const outgoing = signal<OutgoingCall | null>(null);
  return {
    incoming: signal<CallInfo | null>(null),
    answering: signal(false),
    outgoing,
    placing: signal(false),
    error: signal<AppErrorCode | null>(null),
    ringtone: signal<RingtoneState>('off'),
    connected: signal(false),
    outgoingAnswered: computed(() => Object.values(outgoing.value?.answers ?? {}).includes('accepted')),
  };
}
