/**
 * The stage of a presented document: a canvas the size of the stage, painted
 * by the PresentationController for the current view, with the presenter's
 * pointer, page and zoom controls, and "back to the presenter" for a viewer
 * who looked around. Reads signals; every change goes through the actions.
 */
import { useSignal, useSignalEffect } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PresentationView } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import { pageStart, placement, zoomAt, type Size } from '../../presentation/view';
import { act } from '../act';
import { MarkupLayer } from '../markup/MarkupLayer';
import { MarkupToolbar } from '../markup/MarkupToolbar';
import { StopPresenting } from '../markup/StopPresenting';
import { usePresentation } from './context';
import { gesture, pointerOnPage, type Point } from './gestures';
import './presentation.css';

const ZOOM_STEP = 1.25;

export function PresentationStage() {
  const { state, actions } = usePresentation();
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const stageSize = useSignal<Size | null>(null);
  const [rendered, setRendered] = useState('');
  const pointers = useRef(new Map<number, Point>());

  // The stage follows its box's size (window resize, chat panel opening, phone rotation).
  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => {
      const r = element.getBoundingClientRect();
      stageSize.value = { width: Math.max(1, Math.floor(r.width)), height: Math.max(1, Math.floor(r.height)) };
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Repaint whenever the view, the document or the stage's size changes.
  useSignalEffect(() => {
    const view = state.view.value;
    const doc = state.document.value;
    const size = stageSize.value;
    const target = canvas.current;
    if (!view || doc.status !== 'ready' || !target || !size) return;
    const ratio = window.devicePixelRatio || 1;
    target.width = Math.round(size.width * ratio);
    target.height = Math.round(size.height * ratio);
    const key = viewKey(view);
    act(actions.render(target, size, ratio).then((done) => done && setRendered(key)));
  });

  const view = state.view.value;
  const doc = state.document.value;
  const stage = stageSize.value;
  const presentation = state.presentation.value;
  if (!presentation || !view) return null;
  const isPresenter = state.isPresenter.value;
  const pageSize = doc.status === 'ready' ? doc.pageSize : null;
  const pageCount = doc.status === 'ready' ? doc.pageCount : 1;
  const change = (next: PresentationView): void => actions.setView(next);

  const local = (event: PointerEvent | WheelEvent): Point => {
    const r = box.current!.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  };
  const onPointerDown = (event: PointerEvent): void => {
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    pointers.current.set(event.pointerId, local(event));
  };
  const onPointerMove = (event: PointerEvent): void => {
    if (!pageSize || !stage) return;
    const at = local(event);
    if (pointers.current.has(event.pointerId)) {
      const before = new Map(pointers.current);
      pointers.current.set(event.pointerId, at);
      change(gesture(view, before, pointers.current, pageSize, stage));
    } else if (isPresenter && event.pointerType === 'mouse') {
      change({ ...view, pointer: pointerOnPage(view, at, pageSize, stage) });
    }
  };
  const onPointerUp = (event: PointerEvent): void => {
    pointers.current.delete(event.pointerId);
  };
  const onWheel = (event: WheelEvent): void => {
    if (!pageSize || !stage) return;
    event.preventDefault();
    const at = local(event);
    change(zoomAt(view, event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, at.x, at.y, pageSize, stage));
  };
  const goTo = (page: number): void => {
    if (!pageSize || !stage) return;
    change({ ...pageStart(page, pageSize, stage), pointer: null });
  };
  const zoomBy = (factor: number): void => {
    if (!pageSize || !stage) return;
    change(zoomAt(view, factor, stage.width / 2, stage.height / 2, pageSize, stage));
  };

  const pointer = presentation.view.pointer && pageSize && stage && (isPresenter || state.following.value)
    ? (() => {
        const p = placement(view, pageSize, stage);
        return { left: p.offsetX + presentation.view.pointer.x * pageSize.width * p.scale, top: p.offsetY + presentation.view.pointer.y * pageSize.height * p.scale };
      })()
    : null;
  const docLabel = `${presentation.document.name}${presentation.document.version > 1 ? ` (v${presentation.document.version})` : ''}`;

  return (
    <section
      class="presentation"
      data-testid="presentation"
      data-presentation-id={presentation.presentationId}
      data-presenter={String(isPresenter)}
      data-following={String(state.following.value)}
      data-page={String(view.page)}
      data-zoom={String(view.zoom)}
      data-status={doc.status}
      data-rendered={rendered}
      aria-label={isPresenter ? t('present.you', { doc: docLabel }) : t('present.by', { name: presentation.presenterName, doc: docLabel })}
    >
      <header class="presentation__bar">
        <span class="presentation__title">
          {isPresenter ? t('present.you', { doc: docLabel }) : t('present.by', { name: presentation.presenterName, doc: docLabel })}
        </span>
        {isPresenter && <StopPresenting stop={() => actions.stop()} />}
        {!isPresenter && !state.following.value && (
          <button type="button" class="button button--primary" data-testid="present-follow" onClick={() => actions.returnToPresenter()}>
            {t('present.follow')}
          </button>
        )}
      </header>
      <MarkupToolbar page={view.page} />
      <div
        class="presentation__stage"
        ref={box}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={(event) => {
          if (isPresenter && event.pointerType === 'mouse' && !pointers.current.size) change({ ...view, pointer: null });
        }}
        onWheel={onWheel}
      >
        <canvas ref={canvas} class="presentation__canvas" data-testid="presentation-canvas" />
        {doc.status === 'ready' && stage && (
          <MarkupLayer view={view} stage={stage} pageSize={doc.pageSize} frame={doc.pageFrame} onView={change} />
        )}
        {pointer && <span class="presentation__pointer" style={{ left: `${pointer.left}px`, top: `${pointer.top}px` }} aria-hidden="true" />}
        {doc.status === 'loading' && <p class="presentation__status">{t('present.loading')}</p>}
        {doc.status === 'error' && <p class="presentation__status" role="alert">{t('present.failed')}</p>}
      </div>
      <footer class="presentation__controls">
        <button type="button" class="button" data-testid="present-prev" disabled={view.page <= 1} onClick={() => goTo(view.page - 1)} aria-label={t('present.prev')}>
          ‹
        </button>
        <span class="presentation__page" data-testid="present-page">
          {t('present.page', { page: view.page, count: pageCount })}
        </span>
        <button type="button" class="button" data-testid="present-next" disabled={view.page >= pageCount} onClick={() => goTo(view.page + 1)} aria-label={t('present.next')}>
          ›
        </button>
        <button type="button" class="button" data-testid="present-zoom-out" onClick={() => zoomBy(1 / ZOOM_STEP)} aria-label={t('present.zoomOut')}>
          −
        </button>
        <button type="button" class="button" data-testid="present-zoom-in" onClick={() => zoomBy(ZOOM_STEP)} aria-label={t('present.zoomIn')}>
          +
        </button>
      </footer>
    </section>
  );
}

/** What the canvas shows, for tests and for skipping useless repaints. */
function viewKey(view: PresentationView): string {
  return `${view.page}:${view.zoom.toFixed(4)}:${view.centerX.toFixed(4)}:${view.centerY.toFixed(4)}`;
}
