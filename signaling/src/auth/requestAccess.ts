/**
 * The access matrix's WebSocket half: every request type's rule, and the
 * requests aimed at what is not the caller's. See access.ts.
 */
import type { RequestType } from '../protocol/index.js';
import { except, on, rule, type Expected, type IdentityKind, type Rule } from './accessRules.js';

/*
 * The matrix's sockets are a meeting's (hello with the meeting's roomId).
 * Identities whose hello is refused (other project, other meeting,
 * anonymous, expired) never get past it: every other request is answered
 * by the pre-hello rule, HELLO_REQUIRED, before any handler runs.
 * `removed` completes hello (it is still a project member: the chat, calls
 * and presence of the project stay open to it) but its join is refused, so
 * that what needs a joined peer answers NOT_JOINED.
 */
const PRE_HELLO = { otherProject: 'HELLO_REQUIRED', otherMeeting: 'HELLO_REQUIRED', anonymous: 'HELLO_REQUIRED', expired: 'HELLO_REQUIRED' } as const;

const ws = {
  /** The first message: the token decides. */
  hello: rule('hello', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok',
    otherProject: 'FORBIDDEN', otherMeeting: 'FORBIDDEN', anonymous: 'UNAUTHORIZED', expired: 'TOKEN_EXPIRED',
  }),
  /** Any authenticated session of the project, joined or not. */
  authenticated: rule('authenticated', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok', ...PRE_HELLO,
  }),
  /** A participant who joined the meeting (the actor's own transports, producers, consumers, presentation). */
  joinedParticipant: rule('joinedParticipant', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
  /** Joined, and canModerate (protocol/moderation.ts): owners and moderators. */
  moderator: rule('moderator', {
    owner: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
  /**
   * The minutes' chair: who started the meeting (the matrix's host, an
   * owner), owners and moderators; others only once the chair allows them
   * (minutesAllow) to edit. Publishing and allowing stay the chair's.
   */
  minutesChair: rule('minutesChair', {
    owner: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
} as const;

/**
 * Every request type's rule, as answered on the meeting's socket by an actor
 * in the state the request needs (helloed for join, joined for the rest) and
 * with real targets (a peer of the meeting, the actor's own producer, a
 * project document...), so that authorisation is what decides.
 */
export const requestAccess: Readonly<Record<RequestType, Rule>> = {
  hello: ws.hello,
  /** A fresh token of the same user and project. */
  refreshToken: on(ws.authenticated, 'a fresh token of the same user'),
  ping: ws.authenticated,
  presence: ws.authenticated,
  /**
   * Asking to enter (helloed, not joined): answered `admitted` at once, or
   * `waiting` for a guest when the meeting has its lobby (GUEST_LOBBY on by
   * default). A removed user stays out until the meeting ends.
   */
  knock: except(ws.authenticated, 'knock', { removed: 'REMOVED' }),
  /** Letting a waiting guest in (or not): moderators. Tested on a guest waiting in the meeting. */
  admit: on(ws.moderator, 'a guest waiting in the lobby'),
  /**
   * Entering the meeting (helloed, not admitted by anyone). A removed user
   * stays out until the meeting ends; a guest must be admitted first (knock).
   */
  join: except(ws.joinedParticipant, 'join', { removed: 'REMOVED', guest: 'ADMISSION_REQUIRED' }),
  /** On the join screen (helloed, not joined), before join: refused as join refuses. */
  prepareConsumers: except(ws.joinedParticipant, 'prepareConsumers', { removed: 'REMOVED', guest: 'ADMISSION_REQUIRED' }),
  /** Leaving works from a helloed socket too (it is detached from the meeting). */
  leave: ws.authenticated,
  /** Also before join, in the lobby (the client makes its transports there): refused as join refuses. */
  createTransport: except(ws.joinedParticipant, 'createTransport', { removed: 'REMOVED' }),
  /** Also before join, on the lobby's own transports (a NOT_JOINED answer means there are none). */
  connectTransport: ws.joinedParticipant,
  /** The probe (docs/PROTOCOL.md "Joining fast"): the caller's own transports, before join too. */
  openProbe: ws.joinedParticipant,
  /** The caller's own probe only. */
  receiveProbe: ws.joinedParticipant,
  restartIce: ws.joinedParticipant,
  produce: ws.joinedParticipant,
  pauseProducer: ws.joinedParticipant,
  resumeProducer: ws.joinedParticipant,
  closeProducer: ws.joinedParticipant,
  /** A producer of another participant of the same meeting. */
  consume: on(ws.joinedParticipant, 'another participant\'s producer'),
  resumeConsumer: ws.joinedParticipant,
  pauseConsumer: ws.joinedParticipant,
  /** The caller's own consumers (a key frame for each video, once). */
  consumersReady: ws.joinedParticipant,
  /** The project's chat: any authenticated session of the project. */
  chatSend: ws.authenticated,
  chatHistory: ws.authenticated,
  chatMarkRead: ws.authenticated,
  /** A document of the project; update and stop: the presenter's own presentation. */
  presentStart: ws.joinedParticipant,
  presentUpdate: on(ws.joinedParticipant, 'their own presentation'),
  presentStop: on(ws.joinedParticipant, 'their own presentation'),
  setAudioOnly: ws.joinedParticipant,
  setViewport: ws.joinedParticipant,
  /** Calls ring project members; answer: an invitee; cancel: the caller. */
  callStart: ws.authenticated,
  callAnswer: on(ws.authenticated, 'a call ringing them'),
  callCancel: on(ws.authenticated, 'a call they placed'),
  /** Tested with the strongest action, remove, on a member of the meeting. */
  moderate: on(ws.moderator, 'remove a member'),
  setRoomPolicy: ws.moderator,
  endMeeting: ws.moderator,
  raiseHand: ws.joinedParticipant,
  /*
   * Markup (protocol/markup.ts), tested on a presentation another participant
   * started, under the default policy (the presenter draws). The presenter's
   * own rights and the other policies: markupAccess below.
   */
  markupList: on(ws.joinedParticipant, 'another participant\'s presentation'),
  markupStroke: on(ws.moderator, 'another participant\'s presentation'),
  markupAdd: on(ws.moderator, 'another participant\'s presentation'),
  /** One's own marks (unknown ids are ignored); moderators anyone's. */
  markupErase: on(ws.joinedParticipant, 'their own mark'),
  markupClear: on(ws.moderator, 'a page with someone else\'s marks'),
  markupPolicy: on(ws.moderator, 'another participant\'s presentation'),
  markupSave: on(ws.moderator, 'another participant\'s presentation'),
  /** Everyone in the meeting reads the minutes live. */
  minutesOpen: ws.joinedParticipant,
  /** Editing: the chair, owners, moderators and those the chair allowed (tested without any allowed). */
  minutesItemSave: on(ws.minutesChair, 'the meeting\'s minutes (the host chairs)'),
  minutesItemDelete: on(ws.minutesChair, 'an item the host wrote'),
  minutesSectionSave: ws.minutesChair,
  minutesAttendance: on(ws.minutesChair, 'a participant\'s line'),
  minutesAllow: on(ws.minutesChair, 'a member of the meeting'),
  minutesPublish: ws.minutesChair,
  /** Recording (protocol/recording.ts): owners and moderators start and stop; everyone attached sees the state. */
  recordingStart: ws.moderator,
  recordingStop: on(ws.moderator, 'a recording the host started'),
  recordingStatus: ws.authenticated,
};

/**
 * The same requests aimed at what is not the caller's: each is sent by a
 * joined participant (`as`) of the matrix's meeting with a real target that
 * belongs to someone else, and refused with `expect`. Ids never cross peers,
 * meetings or projects.
 */
export interface ForeignTarget {
  readonly on: string;
  readonly as: IdentityKind;
  readonly expect: Expected;
}

export const foreignTargetAccess: Readonly<Partial<Record<RequestType, ForeignTarget>>> = {
  connectTransport: { on: 'another participant\'s transport', as: 'member', expect: 'NOT_FOUND' },
  restartIce: { on: 'another participant\'s transport', as: 'member', expect: 'NOT_FOUND' },
  openProbe: { on: 'another participant\'s send transport', as: 'member', expect: 'NOT_FOUND' },
  receiveProbe: { on: 'another participant\'s probe', as: 'member', expect: 'NOT_FOUND' },
  produce: { on: 'another participant\'s send transport', as: 'member', expect: 'NOT_FOUND' },
  pauseProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  resumeProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  closeProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  consume: { on: 'a producer of another meeting', as: 'member', expect: 'NOT_FOUND' },
  resumeConsumer: { on: 'another participant\'s consumer', as: 'member', expect: 'NOT_FOUND' },
  pauseConsumer: { on: 'another participant\'s consumer', as: 'member', expect: 'NOT_FOUND' },
  consumersReady: { on: 'another participant\'s consumer', as: 'member', expect: 'NOT_FOUND' },
  chatSend: { on: 'a document of another project, attached', as: 'member', expect: 'NOT_FOUND' },
  presentStart: { on: 'a document of another project', as: 'member', expect: 'NOT_FOUND' },
  presentUpdate: { on: 'another participant\'s presentation', as: 'member', expect: 'FORBIDDEN' },
  presentStop: { on: 'another participant\'s presentation', as: 'member', expect: 'FORBIDDEN' },
  callStart: { on: 'a user of another project', as: 'member', expect: 'NOT_FOUND' },
  callAnswer: { on: 'a call ringing someone else', as: 'member', expect: 'NOT_FOUND' },
  callCancel: { on: 'a call someone else placed (ringing the caller)', as: 'member', expect: 'FORBIDDEN' },
  moderate: { on: 'a participant of another meeting', as: 'owner', expect: 'NOT_FOUND' },
  markupList: { on: 'a presentation of another meeting', as: 'owner', expect: 'NOT_FOUND' },
  markupErase: { on: 'the presenter\'s mark', as: 'member', expect: 'FORBIDDEN' },
  minutesItemDelete: { on: 'an item of another meeting\'s minutes', as: 'owner', expect: 'NOT_FOUND' },
  minutesAllow: { on: 'a user of another project', as: 'owner', expect: 'UNKNOWN_MEMBER' },
};
