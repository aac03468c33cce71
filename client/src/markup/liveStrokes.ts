/**
 * The others' strokes while they draw them: pen and highlighter points are
 * appended as they come, other shapes replaced. A stroke ends when its mark
 * lands (markupAdded), or goes after LIVE_STROKE_TTL_MS without news (its
 * author dropped it, or lost the connection).
 */
import type { NotificationData } from '@chantier/signaling/protocol';
import type { LiveStroke } from './markupState';
import { appends } from './strokeSender';

export const LIVE_STROKE_TTL_MS = 5_000;

export class LiveStrokes {
  #strokes = new Map<string, LiveStroke>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly publish: (strokes: ReadonlyMap<string, LiveStroke>) => void) {}

  stroke(data: NotificationData<'markupStroke'>): void {
    const known = this.#strokes.get(data.markId);
    const points = known && appends(data.tool) ? [...known.points, ...data.points] : data.points;
    const next = new Map(this.#strokes);
    next.set(data.markId, {
      peerId: data.peerId,
      markId: data.markId,
      page: data.page,
      tool: data.tool,
      color: data.color,
      width: data.width,
      points,
    });
    this.#set(next);
    const timer = this.#timers.get(data.markId);
    if (timer) clearTimeout(timer);
    this.#timers.set(
      data.markId,
      setTimeout(() => this.end(data.markId), LIVE_STROKE_TTL_MS),
    );
  }

  end(markId: string): void {
    const timer = this.#timers.get(markId);
    if (timer) clearTimeout(timer);
    this.#timers.delete(markId);
    if (!this.#strokes.has(markId)) return;
    const next = new Map(this.#strokes);
    next.delete(markId);
    this.#set(next);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#strokes.size > 0) this.#set(new Map());
  }

  #set(next: Map<string, LiveStroke>): void {
    this.#strokes = next;
    this.publish(next);
  }
}
