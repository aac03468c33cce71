import type { CallInfo, NotificationData, NotificationType, RequestData, RequestType, ResponseData } from '@chantier/signaling/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { SignalingError } from '../signaling/SignalingError';
import { CallController, type CallRole, type CallSocket } from './CallController';
import { createCallState, type CallState } from './callState';
import type { Ringer } from './ringtone';

interface SentRequest {
  type: RequestType;
  data: unknown;
  resolve: (data: unknown) => void;
  reject: (error: unknown) => void;
}

/** Plays the server: records requests, answers them when the test says so. */
class FakeSocket implements CallSocket {
  readonly requests: SentRequest[] = [];
  private readonly listeners = new Map<string, Array<(data: unknown) => void>>();

  request<T extends RequestType>(type: T, data: RequestData<T>): Promise<ResponseData<T>> {
    return new Promise<ResponseData<T>>((resolve, reject) => {
      this.requests.push({ type, data, resolve: resolve as (data: unknown) => void, reject });
    });
  }

  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener as (data: unknown) => void);
    this.listeners.set(type, list);
    return () => {
      this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l !== listener));
    };
  }

  notify<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    for (const listener of this.listeners.get(type) ?? []) listener(data);
  }

  take(type: RequestType): SentRequest {
    const index = this.requests.findIndex((r) => r.type === type);
    if (index < 0) throw new Error(`no ${type} request (have: ${this.requests.map((r) => r.type).join(', ')})`);
    return this.requests.splice(index, 1)[0]!;
  }
}

class FakeRinger implements Ringer {
  ringing = false;
  starts = 0;
  start(): void {
    this.ringing = true;
    this.starts++;
  }
  stop(): void {
    this.ringing = false;
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const lea = { userId: 'lea', displayName: 'Léa' };
const bruno = { userId: 'bruno', displayName: 'Bruno' };
const zoe = { userId: 'zoe', displayName: 'Zoé' };

function callInfo(callId = 'c1', invitees = [bruno]): CallInfo {
  return { callId, roomId: `appel-${callId}`, caller: lea, invitees, startedAt: 1, audioOnly: true };
}

describe('CallController', () => {
  let socket: FakeSocket;
  let ringer: FakeRinger;
  let state: CallState;
  let joined: Array<[string, CallRole]>;
  let cancelled: string[];
  let controller: CallController;

  beforeEach(() => {
    socket = new FakeSocket();
    ringer = new FakeRinger();
    state = createCallState();
    joined = [];
    cancelled = [];
    controller = new CallController({
      state,
      ringer,
      join: (call, role) => joined.push([call.roomId, role]),
      cancelled: (call) => cancelled.push(call.callId),
    });
    controller.attach(socket);
  });

  describe('incoming', () => {
    it('rings, and accepting answers, stops the ringtone and goes to the call room', async () => {
      socket.notify('incomingCall', { call: callInfo() });
      expect(state.incoming.value?.callId).toBe('c1');
      expect(ringer.ringing).toBe(true);
      // The same call replayed (a second hello) does not ring twice.
      socket.notify('incomingCall', { call: callInfo() });
      expect(ringer.starts).toBe(1);

      const accepting = controller.accept();
      expect(ringer.ringing).toBe(false);
      expect(state.answering.value).toBe(true);
      const request = socket.take('callAnswer');
      expect(request.data).toEqual({ callId: 'c1', accept: true });
      request.resolve({ call: callInfo() });
      await accepting;
      expect(joined).toEqual([['appel-c1', 'invitee']]);
      expect(state.incoming.value).toBeNull();
      expect(state.answering.value).toBe(false);
    });

    it('declines at once, then tells the server', async () => {
      socket.notify('incomingCall', { call: callInfo() });
      const declining = controller.decline();
      expect(state.incoming.value).toBeNull();
      expect(ringer.ringing).toBe(false);
      const request = socket.take('callAnswer');
      expect(request.data).toEqual({ callId: 'c1', accept: false });
      request.resolve({ call: callInfo() });
      await declining;
      expect(joined).toEqual([]);
    });

    it.each(['answered-elsewhere', 'cancelled', 'missed', 'declined'] as const)('stops ringing when the call ended (%s)', (reason) => {
      socket.notify('incomingCall', { call: callInfo() });
      // Another call's end changes nothing.
      socket.notify('callEnded', { callId: 'other', reason });
      expect(ringer.ringing).toBe(true);
      socket.notify('callEnded', { callId: 'c1', reason });
      expect(state.incoming.value).toBeNull();
      expect(ringer.ringing).toBe(false);
    });

    it('shows why an accept failed (the call was over meanwhile) and does not go anywhere', async () => {
      socket.notify('incomingCall', { call: callInfo() });
      const accepting = controller.accept();
      socket.take('callAnswer').reject(new SignalingError('NOT_FOUND', 'the call is over'));
      await accepting;
      expect(joined).toEqual([]);
      expect(state.error.value).toBe('NOT_FOUND');
      expect(state.incoming.value).toBeNull();
    });

    it('keeps ringing for the first call when a second one comes', () => {
      socket.notify('incomingCall', { call: callInfo('c1') });
      socket.notify('incomingCall', { call: callInfo('c2') });
      expect(state.incoming.value?.callId).toBe('c1');
    });

    it('stops ringing when the socket goes, and stops listening', () => {
      socket.notify('incomingCall', { call: callInfo() });
      controller.detach();
      expect(state.incoming.value).toBeNull();
      expect(ringer.ringing).toBe(false);
      expect(state.connected.value).toBe(false);
      socket.notify('incomingCall', { call: callInfo('c2') });
      expect(state.incoming.value).toBeNull();
    });
  });

  describe('outgoing', () => {
    it('places a call, goes to its room at once, and follows the answers', async () => {
      const placing = controller.call(['bruno', 'zoe']);
      expect(state.placing.value).toBe(true);
      const request = socket.take('callStart');
      expect(request.data).toEqual({ userIds: ['bruno', 'zoe'] });
      request.resolve({ call: callInfo('c1', [bruno, zoe]) });
      await placing;
      expect(joined).toEqual([['appel-c1', 'caller']]);
      expect(state.outgoing.value?.call.callId).toBe('c1');
      expect(state.outgoingAnswered.value).toBe(false);

      socket.notify('callUpdate', { callId: 'c1', userId: 'bruno', displayName: 'Bruno', answer: 'declined' });
      socket.notify('callUpdate', { callId: 'other', userId: 'zoe', displayName: 'Zoé', answer: 'accepted' });
      expect(state.outgoing.value?.answers).toEqual({ bruno: 'declined' });
      expect(state.outgoingAnswered.value).toBe(false);
      socket.notify('callUpdate', { callId: 'c1', userId: 'zoe', displayName: 'Zoé', answer: 'accepted' });
      expect(state.outgoingAnswered.value).toBe(true);
    });

    it('shows the outcome when everyone declined or nobody answered; closing it leaves', async () => {
      controller.resumeOutgoing(callInfo());
      socket.notify('callUpdate', { callId: 'c1', userId: 'bruno', displayName: 'Bruno', answer: 'missed' });
      socket.notify('callEnded', { callId: 'c1', reason: 'missed' });
      expect(state.outgoing.value?.ended).toBe('missed');
      expect(state.outgoing.value?.answers).toEqual({ bruno: 'missed' });
      controller.dismiss();
      expect(state.outgoing.value).toBeNull();
      expect(cancelled).toEqual(['c1']);
      // Nothing was cancelled on the server: the call was over.
      expect(socket.requests).toEqual([]);
    });

    it('cancels: tells the server, then leaves', async () => {
      controller.resumeOutgoing(callInfo());
      const cancelling = controller.cancel();
      expect(state.outgoing.value).toBeNull();
      const request = socket.take('callCancel');
      expect(request.data).toEqual({ callId: 'c1' });
      request.resolve({});
      await cancelling;
      expect(cancelled).toEqual(['c1']);
    });

    it("hangs up when the caller's page in the call room closes while it rings, not otherwise", () => {
      controller.resumeOutgoing(callInfo());
      controller.hangUpOnPageHide('another-room');
      expect(socket.requests).toEqual([]);
      controller.hangUpOnPageHide('appel-c1');
      expect(socket.take('callCancel').data).toEqual({ callId: 'c1' });
      // Answered: the call goes on without this page.
      socket.notify('callUpdate', { callId: 'c1', userId: 'bruno', displayName: 'Bruno', answer: 'accepted' });
      controller.hangUpOnPageHide('appel-c1');
      expect(socket.requests).toEqual([]);
    });

    it('drops the call cancelled from another page of the caller', () => {
      controller.resumeOutgoing(callInfo());
      socket.notify('callEnded', { callId: 'c1', reason: 'cancelled' });
      expect(state.outgoing.value).toBeNull();
    });

    it('shows why a call could not be placed, and places nothing without a socket', async () => {
      const placing = controller.call(['ghost']);
      socket.take('callStart').reject(new SignalingError('NOT_FOUND', 'no member'));
      await placing;
      expect(state.error.value).toBe('NOT_FOUND');
      expect(state.outgoing.value).toBeNull();
      expect(joined).toEqual([]);
      controller.dismiss();
      expect(state.error.value).toBeNull();

      controller.detach();
      await controller.call(['bruno']);
      expect(socket.requests).toEqual([]);
    });
  });
});
