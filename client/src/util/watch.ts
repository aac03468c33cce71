/**
 * Browser facts as signals, set up once at start-up (main.tsx) so that
 * controllers can depend on them and components need not listen themselves.
 */
import { signal, type ReadonlySignal } from '@preact/signals';

/** The page is visible (not a background tab, not a locked phone). */
export function watchPageVisibility(doc: Document): ReadonlySignal<boolean> {
  const visible = signal(doc.visibilityState === 'visible');
  doc.addEventListener('visibilitychange', () => {
    visible.value = doc.visibilityState === 'visible';
  });
  return visible;
}

/** Whether a media query matches, kept up to date. */
export function watchMediaQuery(win: Window, query: string): ReadonlySignal<boolean> {
  const list = win.matchMedia(query);
  const matches = signal(list.matches);
  list.addEventListener('change', (event) => {
    matches.value = event.matches;
  });
  return matches;
}
