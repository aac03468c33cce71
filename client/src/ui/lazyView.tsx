/**
 * A component whose code loads on first render (a chunk of its own), so that
 * the first page of a meeting link carries only the join screen. Until it
 * has loaded, the fallback shows; a failed load (the network gone) shows the
 * fallback too and is tried again at the next render.
 *
 * Why not preact/compat's lazy + Suspense: they bring the compat layer (its
 * hooks into every render) into the first load, for one promise per view.
 */
import type { ComponentChildren, ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createLogger } from '../log';

const log = createLogger('lazy-view');

export function lazyView<P extends object>(
  name: string,
  load: () => Promise<ComponentType<P>>,
  fallback: () => ComponentChildren = () => null,
): { (props: P): JSX.Element | null; preload(): Promise<unknown> } {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const preload = (): Promise<ComponentType<P>> => {
    loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        loading = null;
        log.warn(`${name} not loaded`, error);
        throw error;
      },
    );
    return loading;
  };
  function LazyView(props: P): JSX.Element | null {
    const [, setReady] = useState(0);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      preload().then(
        () => live && setReady((n) => n + 1),
        () => undefined,
      );
      return () => {
        live = false;
      };
    }, []);
    const Component = loaded;
    return Component ? <Component {...props} /> : <>{fallback()}</>;
  }
  LazyView.preload = preload;
  return LazyView;
}
