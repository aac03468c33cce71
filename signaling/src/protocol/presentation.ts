/**
 * Presenting a project document to the meeting: what the presenter shows,
 * and the requests and notifications that move it. messages.ts spreads
 * `presentationRequests` and `presentationNotifications` into its maps.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DocumentRef } from './documentRef.js';
import { Empty, Id } from './pieces.js';

/**
 * What the presenter shows of a document: the page, the zoom (1 = page width
 * fits the viewer's stage), and the visible area's centre in page coordinates
 * (0..1 across and down), plus an optional pointer in the same coordinates.
 * Each viewer renders the document itself (pdf.js), so this is all that
 * travels: a few dozen bytes per change.
 */
export const PresentationView = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000 }),
    zoom: Type.Number({ minimum: 0.1, maximum: 32 }),
    centerX: Type.Number({ minimum: 0, maximum: 1 }),
    centerY: Type.Number({ minimum: 0, maximum: 1 }),
    pointer: Type.Union([
      Type.Object({ x: Type.Number({ minimum: 0, maximum: 1 }), y: Type.Number({ minimum: 0, maximum: 1 }) }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type PresentationView = Static<typeof PresentationView>;

export const Presentation = Type.Object({
  presentationId: Type.String(),
  presenterPeerId: Type.String(),
  presenterName: Type.String(),
  document: DocumentRef,
  view: PresentationView,
  startedAt: Type.Integer(),
});
export type Presentation = Static<typeof Presentation>;

export const presentationRequests = {
  /**
   * Present a project document (PDF or image) to the meeting. Replaces any
   * presentation in progress; everyone gets `presentation`.
   */
  presentStart: {
    request: Type.Object(
      { documentId: Id, view: Type.Optional(PresentationView) },
      { additionalProperties: false },
    ),
    response: Type.Object({ presentation: Presentation }),
  },
  /** The presenter's new view (page, zoom, area, pointer); others get `presentationView`. */
  presentUpdate: {
    request: Type.Object({ presentationId: Type.String({ maxLength: 64 }), view: PresentationView }, { additionalProperties: false }),
    response: Empty,
  },
  /** Stop presenting (the presenter; the presentation also ends when its presenter leaves). */
  presentStop: {
    request: Type.Object({ presentationId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
    response: Empty,
  },
};

export const presentationNotifications = {
  /** A presentation started, changed presenter, or ended (null). */
  presentation: Type.Object({ presentation: Type.Union([Presentation, Type.Null()]) }),
  /** The presenter moved: page, zoom, visible area, pointer. */
  presentationView: Type.Object({ presentationId: Type.String(), view: PresentationView }),
};
