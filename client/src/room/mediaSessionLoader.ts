/**
 * MediaSession and mediasoup-client under it, about half of a meeting's
 * code, are loaded apart from the first page: the join screen paints and its
 * button works without them. The load starts as soon as the lobby shows
 * (main.tsx) or when something needs the device earlier (pre-warming), and
 * once: every caller gets the same module. A failed load (the network gone)
 * is tried again by the next caller.
 */
type MediaSessionModule = typeof import('./MediaSession');

let loading: Promise<MediaSessionModule> | null = null;

export function loadMediaSession(): Promise<MediaSessionModule> {
  loading ??= import('./MediaSession').catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export type { ClosedConsumer, MediaSession } from './MediaSession';
