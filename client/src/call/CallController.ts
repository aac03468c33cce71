/**
 * Calls on a socket that someone else owns: the project page's
 * (ProjectController) or a meeting's (RoomController), attached after each
 * hello like the chat. It rings for `incomingCall` (ringtone, vibration,
 * the incoming-call screen), places calls (callStart) and follows their
 * answers (callUpdate, callEnded), and answers or cancels them. It is the
 * only writer of the call signals.
 *
 * Where a call leads is the page's business: `join` is called with the call
 * when the user accepted one, or right after placing one (the caller waits in
 * the call's room), and the page navigates to that room.
 *
 * Every public action resolves, never rejects: failures end up in `error`.
 */
import type {
  CallInfo,
  NotificationData,
  NotificationType,
  RequestData,
  RequestType,
  ResponseData,
} from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { CallState } from './callState';
import type { Ringer } from './ringtone';

const log = createLogger('call');

/** The part of SignalingClient calls use, so that tests can fake it. */
export interface CallSocket {
  request<T extends RequestType>(type: T, data: RequestData<T>): Promise<ResponseData<T>>;
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void;
}

/** What the UI may ask for. */
export interface CallActions {
  /** Rings these members (one, or several for a group call). */
  call(userIds: readonly string[]): Promise<void>;
  accept(): Promise<void>;
  decline(): Promise<void>;
  /** The caller hangs up before an answer. */
  cancel(): Promise<void>;
  /** Closes the outcome of an outgoing call (nobody answered) or an error. */
  dismiss(): void;
}

export type CallRole = 'caller' | 'invitee';

export interface CallControllerOptions {
  state: CallState;
  ringer: Ringer;
  /** Go to the call's room (navigate): after accepting, or at once after placing a call. */
  join: (call: CallInfo, role: CallRole) => void;
  /** The caller cancelled: leave the call's room if this page is in it. */
  cancelled?: (call: CallInfo) => void;
}

export class CallController implements CallActions {
  readonly state: CallState;
  private readonly ringer: Ringer;
  private readonly joinCall: (call: CallInfo, role: CallRole) => void;
  private readonly cancelled: (call: CallInfo) => void;
  private socket: CallSocket | null = null;
  private unsubscribe: Array<() => void> = [];

  constructor(options: CallControllerOptions) {
    this.state = options.state;
    this.ringer = options.ringer;
    this.joinCall = options.join;
    this.cancelled = options.cancelled ?? (() => {});
  }

  // ------------------------------------------------------------ lifecycle

  /** A socket said hello: listen on it. The server then rings any call still ringing for us. */
  attach(socket: CallSocket): void {
    this.detach();
    this.socket = socket;
    this.state.connected.value = true;
    this.unsubscribe.push(
      socket.onNotification('incomingCall', ({ call }) => this.ring(call)),
      socket.onNotification('callUpdate', (update) => this.updated(update)),
      socket.onNotification('callEnded', ({ callId, reason }) => this.ended(callId, reason)),
    );
  }

  /**
   * The socket is gone: an incoming call can no longer be answered from here,
   * so it stops ringing (the next hello rings it again if it still rings).
   */
  detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.socket = null;
    this.state.connected.value = false;
    this.stopRinging();
  }

  dispose(): void {
    this.detach();
  }

  /**
   * This page is the caller's, in the call's room (it came here right after
   * placing the call): show the call as ringing until answered. The answers
   * given meanwhile arrive after hello.
   */
  resumeOutgoing(call: CallInfo): void {
    this.state.outgoing.value = { call, answers: {}, ended: null };
  }

  // -------------------------------------------------------------- actions

  async call(userIds: readonly string[]): Promise<void> {
    const { state } = this;
    const socket = this.socket;
    if (!socket || state.placing.value || userIds.length === 0) return;
    state.placing.value = true;
    state.error.value = null;
    try {
      const { call } = await socket.request('callStart', { userIds: [...userIds] });
      state.outgoing.value = { call, answers: {}, ended: null };
      log.info(`calling ${call.invitees.map((p) => p.userId).join(', ')} (${call.callId})`);
      this.joinCall(call, 'caller');
    } catch (error) {
      log.warn('call not placed', error);
      state.error.value = errorCodeOf(error);
    } finally {
      state.placing.value = false;
    }
  }

  async accept(): Promise<void> {
    const { state } = this;
    const call = state.incoming.value;
    const socket = this.socket;
    if (!call || !socket || state.answering.value) return;
    state.answering.value = true;
    this.ringer.stop();
    try {
      const answer = await socket.request('callAnswer', { callId: call.callId, accept: true });
      log.info(`accepted ${call.callId}`);
      this.joinCall(answer.call, 'invitee');
    } catch (error) {
      // Over meanwhile (cancelled, rang out, answered on another device).
      log.warn('call not accepted', error);
      state.error.value = errorCodeOf(error);
    } finally {
      if (state.incoming.value?.callId === call.callId) state.incoming.value = null;
      state.answering.value = false;
    }
  }

  async decline(): Promise<void> {
    const { state } = this;
    const call = state.incoming.value;
    const socket = this.socket;
    if (!call || state.answering.value) return;
    // At once: the user said no.
    this.stopRinging();
    if (!socket) return;
    try {
      await socket.request('callAnswer', { callId: call.callId, accept: false });
      log.info(`declined ${call.callId}`);
    } catch (error) {
      log.warn('decline not delivered', error);
    }
  }

  async cancel(): Promise<void> {
    const { state } = this;
    const outgoing = state.outgoing.value;
    if (!outgoing) return;
    state.outgoing.value = null;
    const socket = this.socket;
    if (socket && outgoing.ended === null) {
      try {
        await socket.request('callCancel', { callId: outgoing.call.callId });
        log.info(`cancelled ${outgoing.call.callId}`);
      } catch (error) {
        log.warn('cancel not delivered', error);
      }
    }
    this.cancelled(outgoing.call);
  }

  /**
   * The caller's page in the call's room is closing while the call still
   * rings: hang up without waiting, so that nobody answers into an empty room.
   */
  hangUpOnPageHide(roomId: string): void {
    const outgoing = this.state.outgoing.value;
    if (!outgoing || outgoing.ended !== null || outgoing.call.roomId !== roomId || this.state.outgoingAnswered.value) return;
    this.socket
      ?.request('callCancel', { callId: outgoing.call.callId })
      .catch((error: unknown) => log.debug('cancel on pagehide not answered', error));
  }

  dismiss(): void {
    const outgoing = this.state.outgoing.value;
    this.state.error.value = null;
    if (outgoing && outgoing.ended !== null) {
      this.state.outgoing.value = null;
      this.cancelled(outgoing.call);
    }
  }

  // ------------------------------------------------------------- internals

  private ring(call: CallInfo): void {
    const { state } = this;
    // Already ringing (the same call replayed, or another one: that one will show as missed).
    if (state.incoming.value) return;
    state.incoming.value = call;
    state.error.value = null;
    log.info(`incoming call ${call.callId} from ${call.caller.userId}`);
    this.ringer.start();
  }

  private updated(update: NotificationData<'callUpdate'>): void {
    const outgoing = this.state.outgoing.value;
    if (!outgoing || outgoing.call.callId !== update.callId) return;
    this.state.outgoing.value = { ...outgoing, answers: { ...outgoing.answers, [update.userId]: update.answer } };
  }

  private ended(callId: string, reason: NotificationData<'callEnded'>['reason']): void {
    const { state } = this;
    if (state.incoming.value?.callId === callId && !state.answering.value) {
      log.info(`call ${callId} stopped ringing (${reason})`);
      this.stopRinging();
    }
    const outgoing = state.outgoing.value;
    if (outgoing?.call.callId === callId) {
      // Cancelled from another page of the caller's: nothing to show here any more.
      state.outgoing.value = reason === 'cancelled' ? null : { ...outgoing, ended: reason };
    }
  }

  private stopRinging(): void {
    if (this.state.incoming.value) this.state.incoming.value = null;
    this.ringer.stop();
  }
}
