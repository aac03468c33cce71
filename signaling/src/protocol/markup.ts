/**
 * Marking up a presented document together (issue 17): the messages, the
 * limits, and who may do what. Shared by the server (which enforces it) and
 * the client (which shows the tools it allows). See docs/PROTOCOL.md, "Markup".
 *
 * Coordinates are the document's: PDF user space of the page in points
 * (origin bottom-left of the page's view box, the page's /Rotate not
 * applied); an image is one page 1 whose size in points is its size in
 * pixels. `points` is a flat [x0, y0, x1, y1, ...], rounded to 0.01 pt by the
 * server.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty } from './pieces.js';
import { DocumentRef } from './documentRef.js';
import { ErrorCode } from './errors.js';
import type { Role } from './presence.js';
import { canModerate } from './moderation.js';

/** The limits. A refused operation changes nothing already accepted. */
export const MARKUP_LIMITS = {
  /** Marks on one page of one document in one meeting (MARKUP_PAGE_FULL beyond). */
  marksPerPage: 2000,
  /** Points of one pen or highlighter stroke, or of one markupStroke chunk (MARKUP_STROKE_TOO_LONG). */
  pointsPerStroke: 5000,
  /** Vertices of a revision cloud. */
  cloudVertices: 500,
  /** Characters of a text note or a pin's label (MARKUP_TEXT_TOO_LONG). */
  textLength: 1000,
  /** Markup operations (any markup request) per person and second, sustained; bursts of two seconds' worth (RATE_LIMITED). */
  opsPerSecond: 40,
  /** Ids in one markupErase. */
  erasePerRequest: 200,
} as const;

/**
 * The authors' colours, in the order people first draw in a meeting (the
 * ninth person gets the first colour again). Readable on white plans.
 */
export const MARKUP_PALETTE = [
  '#e6194b', // red
  '#1f5fd6', // blue
  '#2e9e3f', // green
  '#f58231', // orange
  '#911eb4', // purple
  '#0aa3a3', // teal
  '#d6259e', // magenta
  '#8a5a00', // brown
] as const;

const MarkId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const PresentationId = Type.String({ minLength: 1, maxLength: 64 });
const Page = Type.Integer({ minimum: 1, maximum: 100_000 });
const Coordinate = Type.Number({ minimum: -1_000_000, maximum: 1_000_000 });
/**
 * The schema lets longer lists and texts through (up to four times the limit,
 * within MAX_MESSAGE_BYTES) so that the limit answers with its own code
 * (checkMark) rather than BAD_REQUEST.
 */
const Points = Type.Array(Coordinate, { minItems: 2, maxItems: MARKUP_LIMITS.pointsPerStroke * 2 * 4 });
const Text = Type.String({ maxLength: MARKUP_LIMITS.textLength * 4 });
const Width = Type.Number({ minimum: 0.25, maximum: 50 });
const Color = Type.String({ pattern: '^#[0-9a-f]{6}$' });

export const MarkupTool = Type.Union([
  Type.Literal('pen'),
  Type.Literal('highlighter'),
  Type.Literal('line'),
  Type.Literal('arrow'),
  Type.Literal('rect'),
  Type.Literal('ellipse'),
  Type.Literal('cloud'),
  Type.Literal('text'),
  Type.Literal('pin'),
]);
export type MarkupTool = Static<typeof MarkupTool>;

/** What a client sends of a mark; the server completes the rest (Mark). */
export const MarkInput = Type.Object(
  {
    /** Made by the client, unique per document in the meeting: the idempotency key. */
    markId: MarkId,
    page: Page,
    tool: MarkupTool,
    /** Stroke width in pt. */
    width: Width,
    /**
     * pen/highlighter: the stroke (simplified by the client first); line/arrow:
     * 2 points, the arrow head at the 2nd; rect/ellipse: 2 opposite corners;
     * cloud: the polygon's vertices (3..500); text: 1 point (top-left); pin: 1 point.
     */
    points: Points,
    /** A text note's text (required), or a pin's optional label. */
    text: Type.Optional(Text),
  },
  { additionalProperties: false },
);
export type MarkInput = Static<typeof MarkInput>;

export const Mark = Type.Object({
  markId: MarkId,
  /** The presented document (version). */
  documentId: Type.String(),
  page: Page,
  tool: MarkupTool,
  width: Width,
  points: Type.Array(Type.Number()),
  text: Type.Optional(Type.String()),
  // Set by the server, never taken from the client:
  /** The author's colour in this meeting (MARKUP_PALETTE). */
  color: Color,
  /** Pins only: "repère N", 1, 2, 3... per document in the meeting, never reused. */
  pin: Type.Optional(Type.Integer({ minimum: 1 })),
  authorId: Type.String(),
  authorName: Type.String(),
  /** Milliseconds since the epoch, server clock. */
  createdAt: Type.Integer(),
});
export type Mark = Static<typeof Mark>;

/** Who may draw on a presentation; default {drawers: 'presenter', guests: false}. */
export const MarkupPolicy = Type.Object({
  drawers: Type.Union([Type.Literal('presenter'), Type.Literal('all')]),
  guests: Type.Boolean(),
});
export type MarkupPolicy = Static<typeof MarkupPolicy>;

export const DEFAULT_MARKUP_POLICY: MarkupPolicy = Object.freeze({ drawers: 'presenter', guests: false });


// ---------------------------------------------------------------- requests
/** Gathered into messages.ts's Requests map; every one needs `join`. */
export const MarkupRequests = {
  /** Every mark of the presented document in this meeting, and who may draw. */
  markupList: {
    request: Type.Object({ presentationId: PresentationId }, { additionalProperties: false }),
    response: Type.Object({ policy: MarkupPolicy, marks: Type.Array(Mark) }),
  },
  /**
   * A stroke being drawn, not stored; others get `markupStroke`. For pen and
   * highlighter, `points` are the points since this markId's previous
   * markupStroke (append them); for every other tool, the whole shape so far
   * (replace it). Rights as markupAdd.
   */
  markupStroke: {
    request: Type.Object(
      { presentationId: PresentationId, markId: MarkId, page: Page, tool: MarkupTool, width: Width, points: Points },
      { additionalProperties: false },
    ),
    response: Empty,
  },
  /** Store a mark; answers the stored mark. The same markId again answers the stored one (no copy, no new pin number). */
  markupAdd: {
    request: Type.Object({ presentationId: PresentationId, mark: MarkInput }, { additionalProperties: false }),
    response: Type.Object({ mark: Mark }),
  },
  /** Erase one's own marks (moderators: anyone's). Unknown or already erased ids are ignored. */
  markupErase: {
    request: Type.Object(
      {
        presentationId: PresentationId,
        markIds: Type.Array(MarkId, { minItems: 1, maxItems: MARKUP_LIMITS.erasePerRequest }),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ erased: Type.Array(Type.String()) }),
  },
  /** Moderators only: erase every mark of a page. */
  markupClear: {
    request: Type.Object({ presentationId: PresentationId, page: Page }, { additionalProperties: false }),
    response: Type.Object({ erased: Type.Array(Type.String()) }),
  },
  /** drawers: the presenter or a moderator; guests: a moderator. */
  markupPolicy: {
    request: Type.Object(
      {
        presentationId: PresentationId,
        drawers: Type.Optional(Type.Union([Type.Literal('presenter'), Type.Literal('all')])),
        guests: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ policy: MarkupPolicy }),
  },
  /**
   * Presenter or moderator: store the document with its marks as PDF
   * annotations, as a new version in the project (an image becomes a one-page
   * PDF). DOCUMENT_UNREADABLE for an encrypted or damaged PDF (nothing stored).
   */
  markupSave: {
    request: Type.Object({ presentationId: PresentationId }, { additionalProperties: false }),
    response: Type.Object({ document: DocumentRef }),
  },
} as const;

// ----------------------------------------------------------- notifications
/** Gathered into messages.ts's Notifications map; sent to the others in the meeting. */
export const MarkupNotifications = {
  markupStroke: Type.Object({
    presentationId: Type.String(),
    peerId: Type.String(),
    markId: MarkId,
    page: Page,
    tool: MarkupTool,
    color: Color,
    width: Width,
    points: Type.Array(Type.Number()),
  }),
  markupAdded: Type.Object({ presentationId: Type.String(), mark: Mark }),
  markupErased: Type.Object({ presentationId: Type.String(), markIds: Type.Array(Type.String()) }),
  markupCleared: Type.Object({ presentationId: Type.String(), page: Page, markIds: Type.Array(Type.String()) }),
  markupPolicy: Type.Object({ presentationId: Type.String(), policy: MarkupPolicy }),
  markupSaved: Type.Object({ presentationId: Type.String(), document: DocumentRef }),
} as const;

// ------------------------------------------------------------------ rights
interface Who {
  readonly role: Role;
}

/**
 * Who may draw (markupAdd, markupStroke): the presenter and moderators
 * always; members when drawers = 'all'; guests only when drawers = 'all' and
 * guests = true.
 */
export function canDraw(peer: Who, isPresenter: boolean, policy: MarkupPolicy): boolean {
  if (isPresenter || canModerate(peer)) return true;
  if (policy.drawers !== 'all') return false;
  return peer.role !== 'guest' || policy.guests;
}

/** A mark may be erased by its author (any of their tabs) and by moderators. */
export function canErase(peer: Who & { readonly userId: string }, authorId: string): boolean {
  return peer.userId === authorId || canModerate(peer);
}

/** Changing `drawers`: the presenter or a moderator; changing `guests`: a moderator. */
export function canSetMarkupPolicy(
  peer: Who,
  isPresenter: boolean,
  change: { drawers?: unknown; guests?: unknown },
): boolean {
  if (canModerate(peer)) return true;
  return isPresenter && change.guests === undefined;
}

/** Clearing a page: moderators only (the client confirms first). */
export function canClearMarkup(peer: Who): boolean {
  return canModerate(peer);
}

/** Saving the marked-up document into the project: the presenter or a moderator. */
export function canSaveMarkup(peer: Who, isPresenter: boolean): boolean {
  return isPresenter || canModerate(peer);
}

// ------------------------------------------------------------------ shapes
/** How many points (pairs) each tool takes: [min, max]. */
const POINT_COUNTS: Record<MarkupTool, readonly [number, number]> = {
  pen: [1, MARKUP_LIMITS.pointsPerStroke],
  highlighter: [1, MARKUP_LIMITS.pointsPerStroke],
  line: [2, 2],
  arrow: [2, 2],
  rect: [2, 2],
  ellipse: [2, 2],
  cloud: [3, MARKUP_LIMITS.cloudVertices],
  text: [1, 1],
  pin: [1, 1],
};

export interface MarkProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * What is wrong with a mark (or a stroke chunk, `partial`), beyond its schema:
 * the limits with their own codes, then the shape each tool needs
 * (BAD_REQUEST). null when it is fine.
 */
export function checkMark(mark: { tool: MarkupTool; points: readonly number[]; text?: string }, partial = false): MarkProblem | null {
  const count = mark.points.length / 2;
  if (count > MARKUP_LIMITS.pointsPerStroke) {
    return { code: ErrorCode.MARKUP_STROKE_TOO_LONG, message: `more than ${MARKUP_LIMITS.pointsPerStroke} points` };
  }
  if (mark.text !== undefined && mark.text.length > MARKUP_LIMITS.textLength) {
    return { code: ErrorCode.MARKUP_TEXT_TOO_LONG, message: `text longer than ${MARKUP_LIMITS.textLength} characters` };
  }
  if (!Number.isInteger(count)) return { code: ErrorCode.BAD_REQUEST, message: 'points must be x, y pairs' };
  const [min, max] = POINT_COUNTS[mark.tool];
  if (count > max || (!partial && count < min)) {
    return { code: ErrorCode.BAD_REQUEST, message: `${mark.tool} takes ${min === max ? min : `${min} to ${max}`} points` };
  }
  if (mark.text !== undefined && mark.tool !== 'text' && mark.tool !== 'pin') {
    return { code: ErrorCode.BAD_REQUEST, message: 'only text notes and pins carry text' };
  }
  if (!partial && mark.tool === 'text' && !mark.text?.trim()) {
    return { code: ErrorCode.BAD_REQUEST, message: 'a text note needs text' };
  }
  return null;
}

/**
 * A text note's font size in pt, from its width (the one size setting every
 * tool has): 6 × width, between 8 and 72 (width 2 gives 12 pt). Lines are
 * 1.2 × the size apart; the box's top-left corner is the note's point.
 */
export function markupFontSize(width: number): number {
  return Math.min(72, Math.max(8, Math.round(width * 6 * 100) / 100));
}

/** Points rounded to 0.01 pt, as stored and sent. */
export function roundPoints(points: readonly number[]): number[] {
  return points.map((v) => Math.round(v * 100) / 100);
}
