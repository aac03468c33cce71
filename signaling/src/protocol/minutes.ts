/**
 * The compte rendu (minutes) of a meeting, written in the meeting: its
 * shapes, the requests that edit and publish it and the notification that
 * keeps every participant's panel live. Merged into messages.ts's Requests
 * and Notifications maps; shared with the client (types).
 *
 * Which meeting: a planned occurrence when the meeting is linked to a plan
 * (minutesId "plan-<planId>-<occurrenceId>"), else the ad-hoc meeting of
 * the room ("meeting-<meetingId>"). The first `minutesOpen` of a meeting
 * decides and the link is kept for the meeting's life.
 *
 * Concurrency: every item carries a version. An edit names the version it
 * was made on (`baseVersion`); the server writes it atomically (Lua) and
 * raises the version. Two people editing different items never touch each
 * other's words. On the same item the later edit wins; if it was made on an
 * older version, the words it replaced travel in `minutesChanged.overwritten`
 * so that their author is told (and can copy them back): nothing is lost.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty, Person } from './pieces.js';
import { LocalDate } from './planning.js';

/** Most items (carried ones included) in one meeting's minutes. */
export const MAX_MINUTES_ITEMS = 500;
/** Most sections in one meeting's minutes. */
export const MAX_MINUTES_SECTIONS = 60;
/** Most lines of the attendance table. */
export const MAX_MINUTES_ATTENDANCE = 300;
/** Most people the chair allows to edit. */
export const MAX_MINUTES_EDITORS = 50;
/** Longest item text, in characters. */
export const MAX_ITEM_TEXT = 4000;
/** Longest section title and company name, in characters. */
export const MAX_MINUTES_LABEL = 120;
/** The section that carried actions go in ("Points en suspens"), first of the minutes. */
export const CARRIED_SECTION_ID = 'carried';
/** The section that is always there ("Généralités"). */
export const GENERAL_SECTION_ID = 'general';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const UserId = Type.String({ minLength: 1, maxLength: 128 });
const Label = Type.String({ minLength: 1, maxLength: MAX_MINUTES_LABEL });

/** What an item is (observation: what was seen; décision; action: someone must do it; information). */
export const ItemKind = Type.Union([
  Type.Literal('observation'),
  Type.Literal('decision'),
  Type.Literal('action'),
  Type.Literal('information'),
]);
export type ItemKind = Static<typeof ItemKind>;

/** An action's state: en cours (open) or soldé (done). */
export const ActionStatus = Type.Union([Type.Literal('open'), Type.Literal('done')]);
export type ActionStatus = Static<typeof ActionStatus>;

/** Who must do an action ("à faire par"): a project member, or a company by name. */
export const ActionOwner = Type.Union([
  Type.Object({ userId: UserId }, { additionalProperties: false }),
  Type.Object({ company: Label }, { additionalProperties: false }),
]);
/** As stored and sent: a member with their name, or a company. */
export const ActionOwnerInfo = Type.Union([
  Type.Object({ userId: Type.String(), displayName: Type.String() }),
  Type.Object({ company: Type.String() }),
]);
export type ActionOwnerInfo = Static<typeof ActionOwnerInfo>;

/**
 * A pin ("repère N") of a saved markup of a plan: the markup's document id
 * and the pin's number, as plain data (issue 17's markup owns the pins).
 */
export const MarkupRef = Type.Object(
  { documentId: Id, pin: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);
export type MarkupRef = Static<typeof MarkupRef>;

export const MinutesItem = Type.Object({
  itemId: Id,
  sectionId: Id,
  kind: ItemKind,
  text: Type.String(),
  /** Actions: who, by when, state. */
  owner: Type.Optional(ActionOwnerInfo),
  due: Type.Optional(LocalDate),
  status: Type.Optional(ActionStatus),
  markup: Type.Optional(MarkupRef),
  /** A carried action: the minutes it comes from ("CR n° 13" or its date). */
  carriedFrom: Type.Optional(Type.Object({ minutesId: Type.String(), number: Type.Optional(Type.Integer()), date: Type.Integer() })),
  /** Creation order (ms), for display. */
  createdAt: Type.Integer(),
  /** Raised on every change; edits name the version they were made on. */
  version: Type.Integer({ minimum: 1 }),
  editedBy: Person,
  editedAt: Type.Integer(),
});
export type MinutesItem = Static<typeof MinutesItem>;

/** A lot (trade) or a topic. */
export const MinutesSection = Type.Object({ sectionId: Id, title: Type.String(), order: Type.Integer() });
export type MinutesSection = Static<typeof MinutesSection>;

/** Présent, excusé (apologies sent), absent (no word). */
export const AttendanceStatus = Type.Union([Type.Literal('present'), Type.Literal('excused'), Type.Literal('absent')]);
export type AttendanceStatus = Static<typeof AttendanceStatus>;

export const AttendanceEntry = Type.Object({
  /** The member's user id, or "guest-<n>" for a guest invited by name. */
  personId: Type.String(),
  name: Type.String(),
  userId: Type.Optional(Type.String()),
  /** Convoqué: on the plan's invitation list. */
  invited: Type.Boolean(),
  status: AttendanceStatus,
  /** Filled in from who joined (true) or set by an editor (false). */
  auto: Type.Boolean(),
});
export type AttendanceEntry = Static<typeof AttendanceEntry>;

/** One publication ("diffusion") of the minutes: a version of the project document. */
export const MinutesPublication = Type.Object({
  documentId: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  at: Type.Integer(),
  by: Person,
});
export type MinutesPublication = Static<typeof MinutesPublication>;

/** Everything about the minutes but their items, sections and attendance. */
export const MinutesInfo = Type.Object({
  minutesId: Type.String(),
  projectId: Type.String(),
  roomId: Type.String(),
  meetingId: Type.String(),
  title: Type.String(),
  /** When the meeting started (ms). */
  date: Type.Integer(),
  plan: Type.Optional(Type.Object({ planId: Type.String(), occurrenceId: Type.String() })),
  /** The chair: who started the meeting (owners and moderators may chair too). */
  chair: Person,
  /** Others the chair allowed to edit (user ids). */
  editors: Type.Array(Type.String()),
  /** CR n°: given at the first publication, kept by corrections. */
  number: Type.Optional(Type.Integer({ minimum: 1 })),
  publications: Type.Array(MinutesPublication),
});
export type MinutesInfo = Static<typeof MinutesInfo>;

export const MinutesState = Type.Object({
  info: MinutesInfo,
  sections: Type.Array(MinutesSection),
  items: Type.Array(MinutesItem),
  attendance: Type.Array(AttendanceEntry),
  /** Whether the one asking may edit, and publish. */
  canEdit: Type.Boolean(),
  canPublish: Type.Boolean(),
});
export type MinutesState = Static<typeof MinutesState>;

/** What changed, in minutesChanged. */
export const MinutesChange = Type.Union([
  Type.Object({
    type: Type.Literal('item'),
    item: MinutesItem,
    /**
     * The later edit won over one made meanwhile by someone else: the words it
     * replaced and their author, who is told (and can copy them back).
     */
    overwritten: Type.Optional(Type.Object({ text: Type.String(), by: Person, version: Type.Integer() })),
  }),
  Type.Object({ type: Type.Literal('itemDeleted'), itemId: Type.String() }),
  Type.Object({ type: Type.Literal('section'), section: MinutesSection }),
  Type.Object({ type: Type.Literal('attendance'), entry: AttendanceEntry }),
  Type.Object({ type: Type.Literal('editors'), editors: Type.Array(Type.String()) }),
  Type.Object({ type: Type.Literal('published'), number: Type.Integer(), publication: MinutesPublication }),
]);
export type MinutesChange = Static<typeof MinutesChange>;


/** Requests on a meeting socket (joined); merged into messages.ts Requests. */
export const minutesRequests = {
  /**
   * The minutes of this meeting, made on first use: attendance from the
   * invitation list and who joined, the series' previous open actions
   * carried in. `plan`: the plan and occurrence the page was opened for
   * (?plan=&occurrence=); without it the server looks for the occurrence
   * held in this room now. NOT_FOUND for a plan not held in this room.
   */
  minutesOpen: {
    request: Type.Object(
      { plan: Type.Optional(Type.Object({ planId: Id, occurrenceId: LocalDate }, { additionalProperties: false })) },
      { additionalProperties: false },
    ),
    response: Type.Object({ minutes: MinutesState }),
  },
  /**
   * Add an item (no itemId) or change one (itemId and the baseVersion it was
   * edited from). Editors only (FORBIDDEN); LIMIT_EXCEEDED beyond
   * MAX_MINUTES_ITEMS; UNKNOWN_MEMBER for an owner who is not a project
   * member; NOT_FOUND for a deleted item or an unknown section.
   */
  minutesItemSave: {
    request: Type.Object(
      {
        itemId: Type.Optional(Id),
        baseVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
        sectionId: Id,
        kind: ItemKind,
        text: Type.String({ maxLength: MAX_ITEM_TEXT }),
        owner: Type.Optional(ActionOwner),
        due: Type.Optional(LocalDate),
        status: Type.Optional(ActionStatus),
        markup: Type.Optional(MarkupRef),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ item: MinutesItem, overwritten: Type.Optional(Type.Boolean()) }),
  },
  /** Delete an item (editors). */
  minutesItemDelete: {
    request: Type.Object({ itemId: Id }, { additionalProperties: false }),
    response: Empty,
  },
  /** Add a section (no sectionId) or rename / move one (editors). */
  minutesSectionSave: {
    request: Type.Object(
      { sectionId: Type.Optional(Id), title: Label, order: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })) },
      { additionalProperties: false },
    ),
    response: Type.Object({ section: MinutesSection }),
  },
  /**
   * Mark someone present, excused or absent (editors). `personId`: a line of
   * the table, or a project member to add to it (UNKNOWN_MEMBER otherwise).
   */
  minutesAttendance: {
    request: Type.Object({ personId: UserId, status: AttendanceStatus }, { additionalProperties: false }),
    response: Type.Object({ entry: AttendanceEntry }),
  },
  /** The chair allows (or no longer allows) someone to edit. UNKNOWN_MEMBER if not a member. */
  minutesAllow: {
    request: Type.Object({ userId: UserId, allowed: Type.Boolean() }, { additionalProperties: false }),
    response: Type.Object({ editors: Type.Array(Type.String()) }),
  },
  /**
   * "Diffuser le compte rendu" (the chair): the PDF is made, stored as a
   * project document (a correction: a new version of the same name),
   * announced in the chat and listed in the meeting history.
   */
  minutesPublish: {
    request: Empty,
    response: Type.Object({ number: Type.Integer(), publication: MinutesPublication }),
  },
};

/** Notifications on meeting sockets (merged into messages.ts Notifications). */
export const minutesNotifications = {
  /** Someone changed the minutes of this meeting (to every joined participant, the author too). */
  minutesChanged: Type.Object({ minutesId: Type.String(), change: MinutesChange, by: Person }),
};

/** A meeting's published minutes, as the meeting history lists them. */
export const MinutesSummary = Type.Object({
  minutesId: Type.String(),
  number: Type.Integer(),
  documentId: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
});
export type MinutesSummary = Static<typeof MinutesSummary>;
