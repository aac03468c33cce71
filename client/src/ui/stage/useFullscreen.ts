/**
 * Full screen for one element of the stage. Where the Fullscreen API is
 * missing (Safari on iPhone offers it for <video> only, without our zoom),
 * the element is instead pinned over the whole page by a CSS class.
 */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { act } from '../act';

export interface Fullscreen {
  active: boolean;
  /** Use the `--maximized` CSS fallback rather than the browser's full screen. */
  emulated: boolean;
  toggle(): void;
}

export function useFullscreen(ref: RefObject<HTMLElement>): Fullscreen {
  const native = typeof document !== 'undefined' && document.fullscreenEnabled === true;
  const [active, setActive] = useState(false);

  useEffect(() => {
    if (!native) return undefined;
    const update = (): void => setActive(document.fullscreenElement !== null && document.fullscreenElement === ref.current);
    document.addEventListener('fullscreenchange', update);
    // A stage removed while in full screen (the share ended) leaves it by itself.
    return () => document.removeEventListener('fullscreenchange', update);
  }, [native, ref]);

  return {
    active,
    emulated: !native,
    toggle() {
      if (!native) {
        setActive(!active);
        return;
      }
      const element = ref.current;
      if (document.fullscreenElement) act(document.exitFullscreen());
      else if (element) act(element.requestFullscreen());
    },
  };
}
