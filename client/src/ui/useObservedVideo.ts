import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';
import { useRoom } from './context';

/**
 * Registers an element that shows a remote producer's video with the
 * viewport report (what is visible, how large); null: nothing to report.
 */
export function useObservedVideo(ref: RefObject<Element>, producerId: string | null): void {
  const { actions } = useRoom();
  useEffect(() => {
    const element = ref.current;
    if (!element || !producerId) return undefined;
    return actions.observeVideo(element, producerId);
  }, [ref, producerId, actions]);
}
