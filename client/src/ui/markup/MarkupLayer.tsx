/**
 * The marks over the presented page: an SVG the size of the stage, redrawn
 * from the marks' document coordinates for the current view, so marks stay
 * on their spot of the plan when anyone zooms, pans or turns pages, and stay
 * sharp at any zoom. With a tool on, one finger (or the mouse) draws and two
 * fingers pan and zoom the page (the stage's own gesture code); with no tool,
 * the stage handles every gesture and a tap on a mark shows who made it.
 */
import { useRef, useState } from 'preact/hooks';
import type { PresentationView } from '@chantier/signaling/protocol';
import { extend, finish, DEFAULT_WIDTH } from '../../markup/drawing';
import { documentToStage, scaleOf, stageToDocument, type PageFrame, type Point } from '../../markup/geometry';
import { PROVISIONAL_COLOR } from '../../markup/MarkupController';
import { marksOfPage, type Draft } from '../../markup/markupState';
import { drawMark, pinCorner } from '../../markup/shapes';
import { placement, type Size } from '../../presentation/view';
import { t } from '../../i18n';
import { gesture } from '../presentation/gestures';
import { useMarkup } from './context';
import { MarkInfo } from './MarkInfo';
import { DrawnElements } from './MarkSvg';
import { TextEntry } from './TextEntry';
import './markup.css';

/** How far a tap may slide and still be a tap, in px. */
const TAP_SLOP = 10;

export interface MarkupLayerProps {
  view: PresentationView;
  stage: Size;
  pageSize: Size;
  frame: PageFrame;
  /** A two-finger pan or pinch while a tool is on. */
  onView(view: PresentationView): void;
}

export function MarkupLayer({ view, stage, pageSize, frame, onView }: MarkupLayerProps) {
  const markup = useMarkup();
  const svg = useRef<SVGSVGElement>(null);
  const pointers = useRef(new Map<number, Point>());
  const stroke = useRef<(Draft & { pointerId: number }) | null>(null);
  /** A pin or text note goes where a single finger (or the mouse) comes up without moving. */
  const tap = useRef<{ pointerId: number; at: Point; point: Point } | null>(null);
  const [textAt, setTextAt] = useState<{ page: number; at: Point; point: Point } | null>(null);
  if (!markup) return null;
  const { state, actions } = markup;

  const toStage = documentToStage(frame, placement(view, pageSize, stage));
  const scale = scaleOf(toStage);
  const tool = state.tool.value;
  const active = tool !== null && (tool === 'eraser' || state.canDraw.value);
  const marks = marksOfPage(state.marks.value, view.page);
  const live = [...state.live.value.values()].filter((s) => s.page === view.page);
  const draft = state.draft.value?.page === view.page ? state.draft.value : null;
  const ownColor = marks.find((m) => m.authorId === state.selfUserId.value && !state.pending.value.has(m.markId))?.color ?? PROVISIONAL_COLOR;

  const local = (event: PointerEvent): Point => {
    const r = svg.current!.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  };
  const eraseUnder = (event: PointerEvent): void => {
    const target = document.elementFromPoint(event.clientX, event.clientY)?.closest('[data-mark-id]');
    const markId = target?.getAttribute('data-mark-id');
    if (markId && target?.getAttribute('data-erasable') === 'true') void actions.erase([markId]);
  };
  const dropStroke = (): void => {
    stroke.current = null;
    actions.drawing(null);
  };

  const onPointerDown = (event: PointerEvent): void => {
    if (!active || !tool) return;
    event.stopPropagation();
    svg.current?.setPointerCapture(event.pointerId);
    pointers.current.set(event.pointerId, local(event));
    if (pointers.current.size >= 2) {
      // A second finger: the page moves, the stroke or tap begun is not a mark.
      if (stroke.current) dropStroke();
      tap.current = null;
      return;
    }
    const at = local(event);
    const point = stageToDocument(toStage, at);
    if (tool === 'eraser') return eraseUnder(event);
    if (tool === 'text' || tool === 'pin') {
      tap.current = { pointerId: event.pointerId, at, point };
      return;
    }
    const draftNow: Draft = { markId: actions.newMarkId(), page: view.page, tool, width: DEFAULT_WIDTH[tool], points: [point.x, point.y] };
    stroke.current = { ...draftNow, pointerId: event.pointerId };
    actions.drawing(draftNow);
  };

  const onPointerMove = (event: PointerEvent): void => {
    if (!active || !pointers.current.has(event.pointerId)) return;
    event.stopPropagation();
    const before = new Map(pointers.current);
    pointers.current.set(event.pointerId, local(event));
    if (pointers.current.size >= 2) {
      onView(gesture(view, before, pointers.current, pageSize, stage));
      return;
    }
    if (tool === 'eraser') return eraseUnder(event);
    const current = stroke.current;
    if (!current || current.pointerId !== event.pointerId) return;
    // Every point the browser saw since the last event, for smooth curves.
    const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    let points = current.points;
    for (const e of events.length > 0 ? events : [event]) points = extend(current.tool, points, stageToDocument(toStage, local(e)));
    stroke.current = { ...current, points };
    actions.drawing({ markId: current.markId, page: current.page, tool: current.tool, width: current.width, points });
  };

  const onPointerUp = (event: PointerEvent): void => {
    if (!pointers.current.has(event.pointerId)) return;
    event.stopPropagation();
    pointers.current.delete(event.pointerId);
    const tapped = tap.current;
    if (tapped?.pointerId === event.pointerId) {
      tap.current = null;
      const up = local(event);
      if (Math.hypot(up.x - tapped.at.x, up.y - tapped.at.y) < TAP_SLOP) place(tapped);
      return;
    }
    const current = stroke.current;
    if (!current || current.pointerId !== event.pointerId) return;
    stroke.current = null;
    // Simplified within half a screen pixel at the zoom it was drawn at.
    const input = finish(current, 0.5 / scale);
    if (input) void actions.add(input, current.markId);
    else actions.drawing(null);
  };

  const place = ({ at, point }: { at: Point; point: Point }): void => {
    if (tool === 'text') setTextAt({ page: view.page, at, point });
    if (tool === 'pin') {
      // The pin is centred where it was tapped; the protocol keeps its top-left corner.
      const corner = pinCorner(point);
      void actions.add({ page: view.page, tool, width: DEFAULT_WIDTH.pin, points: [corner.x, corner.y] });
    }
  };

  const onPointerCancel = (event: PointerEvent): void => {
    pointers.current.delete(event.pointerId);
    if (tap.current?.pointerId === event.pointerId) tap.current = null;
    if (stroke.current?.pointerId === event.pointerId) dropStroke();
  };

  const selected = state.selected.value ? state.marks.value.get(state.selected.value) ?? null : null;
  const selfId = state.selfUserId.value;

  return (
    <>
      <svg
        ref={svg}
        class={`markup-layer ${active ? 'markup-layer--drawing' : ''} ${tool === 'eraser' ? 'markup-layer--erasing' : ''}`}
        data-testid="markup-overlay"
        data-page={String(view.page)}
        data-marks={String(marks.length)}
        data-pending={String(state.pending.value.size)}
        data-live={String(live.length)}
        width={stage.width}
        height={stage.height}
        viewBox={`0 0 ${stage.width} ${stage.height}`}
        xmlns="http://www.w3.org/2000/svg"
        aria-label={t('markup.overlay')}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerCancel}
      >
        {marks.map((mark) => {
          const erasable = mark.authorId === selfId || state.isModerator.value;
          return (
            <g
              key={mark.markId}
              data-mark-id={mark.markId}
              data-tool={mark.tool}
              data-author={mark.authorName}
              data-erasable={String(erasable)}
              class="markup-mark"
              onPointerDown={(event) => {
                // The stage captures the pointer to pan: a tap is a pointerup close to where it went down.
                if (!active) onTap(event, () => actions.select(mark.markId));
              }}
            >
              <title>
                {mark.tool === 'pin' && mark.pin !== undefined ? `${t('markup.pin', { n: mark.pin })} — ` : ''}
                {t('markup.by', { name: mark.authorName, time: new Date(mark.createdAt).toLocaleTimeString() })}
              </title>
              <DrawnElements drawn={drawMark(mark, toStage)} hit />
            </g>
          );
        })}
        {live.map((s) => (
          <g key={`live-${s.markId}`} data-live-id={s.markId} class="markup-live">
            <DrawnElements drawn={drawMark(s, toStage)} hit={false} />
          </g>
        ))}
        {draft && (
          <g class="markup-draft" data-testid="markup-draft">
            <DrawnElements drawn={drawMark({ ...draft, color: ownColor }, toStage)} hit={false} />
          </g>
        )}
      </svg>
      {textAt && (
        <TextEntry
          at={textAt.at}
          onDone={(text) => {
            setTextAt(null);
            if (text.trim() !== '') {
              void actions.add({ page: textAt.page, tool: 'text', width: DEFAULT_WIDTH.text, points: [textAt.point.x, textAt.point.y], text });
            }
          }}
        />
      )}
      {selected && selected.page === view.page && (
        <MarkInfo mark={selected} toStage={toStage} erasable={selected.authorId === selfId || state.isModerator.value} />
      )}
    </>
  );
}

/** Calls `then` if the pointer comes up within a few pixels of where it went down (a tap, not a pan). */
function onTap(down: PointerEvent, then: () => void): void {
  const up = (event: PointerEvent): void => {
    if (event.pointerId !== down.pointerId) return;
    window.removeEventListener('pointerup', up, true);
    if (Math.hypot(event.clientX - down.clientX, event.clientY - down.clientY) < 8) then();
  };
  window.addEventListener('pointerup', up, true);
}
