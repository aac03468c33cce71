/**
 * Streams one's stroke to the others while it is drawn: at most every
 * STROKE_INTERVAL_MS (a trailing send keeps the latest), pen and highlighter
 * as the points since the last send (the server's markupStroke appends
 * them), every other tool as its whole shape so far (replaced). The final
 * mark follows with markupAdd; these sends are never retried.
 */
import type { MarkupTool } from '@chantier/signaling/protocol';
import type { Draft } from './markupState';

export const STROKE_INTERVAL_MS = 50;

export interface StrokeChunk {
  markId: string;
  page: number;
  tool: MarkupTool;
  width: number;
  points: number[];
}

/** Tools whose live points are appended; the others are sent whole. */
export function appends(tool: MarkupTool): boolean {
  return tool === 'pen' || tool === 'highlighter';
}

export class StrokeSender {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSent = -Infinity;
  #draft: Draft | null = null;
  /** How many numbers of the current draft's points went out already (appending tools). */
  #sent = 0;

  constructor(
    private readonly send: (chunk: StrokeChunk) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The draft changed: send soon. */
  update(draft: Draft): void {
    if (this.#draft?.markId !== draft.markId) this.#sent = 0;
    this.#draft = draft;
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastSent + STROKE_INTERVAL_MS - this.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, wait);
  }

  /** The stroke ended (or was dropped): nothing more goes out for it. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#draft = null;
    this.#sent = 0;
  }

  #flush(): void {
    const draft = this.#draft;
    if (!draft) return;
    const points = appends(draft.tool) ? draft.points.slice(this.#sent) : [...draft.points];
    if (points.length < 2) return;
    if (appends(draft.tool)) this.#sent = draft.points.length;
    this.#lastSent = this.now();
    this.send({ markId: draft.markId, page: draft.page, tool: draft.tool, width: draft.width, points });
  }
}
