/** The minutes' signals for one meeting page; MinutesController is their only writer. */
import { signal, type Signal } from '@preact/signals';
import type { MinutesState } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';

/** Told to the one whose words a later edit of the same item replaced. */
export interface OverwrittenNotice {
  itemId: string;
  by: string;
  text: string;
}

export interface MinutesSignals {
  /** The panel is shown. */
  open: Signal<boolean>;
  /** What the server holds, kept live; null until first opened. */
  minutes: Signal<MinutesState | null>;
  loading: Signal<boolean>;
  publishing: Signal<boolean>;
  error: Signal<AppErrorCode | null>;
  overwritten: Signal<OverwrittenNotice | null>;
  /** The last publication made from this page ("CR n° 3 diffusé"). */
  published: Signal<{ number: number; version: number } | null>;
}

export function createMinutesState(): MinutesSignals {
  return {
    open: signal(false),
    minutes: signal(null),
    loading: signal(false),
    publishing: signal(false),
    error: signal(null),
    overwritten: signal(null),
    published: signal(null),
  };
}
