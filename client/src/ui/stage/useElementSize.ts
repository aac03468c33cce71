import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Size } from '../../stage/zoomPan';

/** An element's content-box size, kept current (window resize, rotation, chat panel, full screen). */
export function useElementSize(ref: RefObject<HTMLElement>): Size {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
