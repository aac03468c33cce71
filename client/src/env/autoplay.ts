/**
 * Remote sound the browser refused to play until the person touches the
 * page. WebKit (Safari, every iOS browser) plays an unmuted element only
 * after a gesture; the join click usually counts, but a listener who joined
 * with camera and microphone off, or a page reloaded into a meeting, may
 * hear nothing. Each refused element is kept here; the room shows a button
 * whose click (a gesture) plays them all again. Elements that play, or go
 * away, are forgotten.
 */
import { computed, signal } from '@preact/signals';
import { createLogger } from '../log';

const log = createLogger('autoplay');

export interface PlayableLike {
  play(): Promise<void>;
}

/** A refusal that a gesture would lift (not a missing source or a decoding error). */
export function isAutoplayRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'NotAllowedError';
}

export class BlockedPlayback {
  private readonly elements = signal<ReadonlySet<PlayableLike>>(new Set());
  /** Some remote sound waits for a gesture. */
  readonly blocked = computed(() => this.elements.value.size > 0);

  /** play() of this element was refused. */
  refused(element: PlayableLike): void {
    if (this.elements.value.has(element)) return;
    this.elements.value = new Set([...this.elements.value, element]);
  }

  /** The element plays, or is gone. */
  forget(element: PlayableLike): void {
    if (!this.elements.value.has(element)) return;
    const next = new Set(this.elements.value);
    next.delete(element);
    this.elements.value = next;
  }

  /** Plays every refused element again; call it from a click or touch handler. Never rejects. */
  async resumeAll(): Promise<void> {
    await Promise.all(
      [...this.elements.value].map(async (element) => {
        try {
          await element.play();
          this.forget(element);
        } catch (error) {
          log.warn('play() refused again after a gesture', error);
        }
      }),
    );
  }
}

/** The page's one list (like the language, app-wide rather than room state). */
export const blockedPlayback = new BlockedPlayback();
