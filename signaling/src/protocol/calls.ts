/**
 * Calls: a project member rings others, who accept or decline on any of
 * their devices. messages.ts spreads `callRequests` into its request map and
 * takes `callNotifications` one by one (their place in its map is kept).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty, Id, Person } from './pieces.js';
import { CallPlanRef } from './planning.js';

/**
 * A call: a project member rings others; those who accept meet in the call's
 * own room, audio-only at first (anyone may turn video on).
 */
export const CallInfo = Type.Object({
  callId: Id,
  /** The room the call happens in; joined like any meeting room. */
  roomId: Id,
  caller: Person,
  invitees: Type.Array(Person),
  startedAt: Type.Integer(),
  audioOnly: Type.Boolean(),
  /** A planned meeting's start rings its invitees: the plan and occurrence (accepting joins its room). */
  plan: Type.Optional(CallPlanRef),
});
export type CallInfo = Static<typeof CallInfo>;

export const callRequests = {
  /**
   * Ring project members (their open pages and devices). The call gets a room
   * of its own; the caller joins it, invitees who accept join it too.
   */
  callStart: {
    request: Type.Object(
      {
        userIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 8 }),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ call: CallInfo }),
  },
  /** Accept or decline a ringing call (on any of the invitee's devices). */
  callAnswer: {
    request: Type.Object({ callId: Id, accept: Type.Boolean() }, { additionalProperties: false }),
    response: Type.Object({ call: CallInfo }),
  },
  /** The caller hangs up before it is answered: ringing stops everywhere. */
  callCancel: {
    request: Type.Object({ callId: Id }, { additionalProperties: false }),
    response: Empty,
  },
};

export const callNotifications = {
  /** Someone calls this user: ring (on every open page of theirs). */
  incomingCall: Type.Object({ call: CallInfo }),
  /** To the caller: an invitee answered, declined, or let it ring out. */
  callUpdate: Type.Object({
    callId: Id,
    userId: Type.String(),
    displayName: Type.String(),
    answer: Type.Union([Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('missed')]),
  }),
  /** Stop ringing: answered on another device, cancelled by the caller, or rang out. */
  callEnded: Type.Object({
    callId: Id,
    reason: Type.Union([
      Type.Literal('answered-elsewhere'),
      Type.Literal('declined'),
      Type.Literal('cancelled'),
      Type.Literal('missed'),
    ]),
  }),
};
