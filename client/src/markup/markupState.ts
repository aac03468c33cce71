/**
 * The marks of the presented document as signals. Components read them;
 * only the MarkupController writes them (through the setters it keeps).
 */
import { signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { DEFAULT_MARKUP_POLICY, type DocumentRef, type Mark, type MarkupPolicy, type MarkupTool } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';

/** A tool in the toolbar: the protocol's drawing tools, and the eraser. */
export type Tool = MarkupTool | 'eraser';

/** Someone else's stroke while they draw it (not stored; replaced by the mark when it lands). */
export interface LiveStroke {
  peerId: string;
  markId: string;
  page: number;
  tool: MarkupTool;
  color: string;
  width: number;
  points: readonly number[];
}

/** One's own mark being drawn (pointer still down). */
export interface Draft {
  markId: string;
  page: number;
  tool: MarkupTool;
  width: number;
  points: readonly number[];
}

export type SaveStatus =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'saved'; document: DocumentRef }
  | { status: 'failed'; code: AppErrorCode };

export interface MarkupState {
  /** Whose marks the lists below are: the presentation they belong to. */
  presentationId: ReadonlySignal<string | null>;
  policy: ReadonlySignal<MarkupPolicy>;
  /** Every mark of the document (all pages), the server's, plus one's own still on their way. */
  marks: ReadonlySignal<ReadonlyMap<string, Mark>>;
  /** One's own marks not yet confirmed by the server (sent again after a resume). */
  pending: ReadonlySignal<ReadonlySet<string>>;
  live: ReadonlySignal<ReadonlyMap<string, LiveStroke>>;
  draft: ReadonlySignal<Draft | null>;
  tool: ReadonlySignal<Tool | null>;
  /** May this participant draw now (the protocol's canDraw)? */
  canDraw: ReadonlySignal<boolean>;
  /** Whose marks are one's own (any of one's tabs). */
  selfUserId: ReadonlySignal<string | null>;
  /** A moderator: erases anyone's marks, clears pages, lets guests draw. */
  isModerator: ReadonlySignal<boolean>;
  /** The presenter or a moderator: opens markup to all, saves into the project. */
  canManage: ReadonlySignal<boolean>;
  canUndo: ReadonlySignal<boolean>;
  canRedo: ReadonlySignal<boolean>;
  /** The mark whose author and time are shown (tap), or null. */
  selected: ReadonlySignal<string | null>;
  save: ReadonlySignal<SaveStatus>;
  error: ReadonlySignal<AppErrorCode | null>;
}

/** The writable side, kept by the controller. */
export interface MarkupSignals {
  presentationId: Signal<string | null>;
  policy: Signal<MarkupPolicy>;
  marks: Signal<ReadonlyMap<string, Mark>>;
  pending: Signal<ReadonlySet<string>>;
  live: Signal<ReadonlyMap<string, LiveStroke>>;
  draft: Signal<Draft | null>;
  tool: Signal<Tool | null>;
  canUndo: Signal<boolean>;
  canRedo: Signal<boolean>;
  selected: Signal<string | null>;
  save: Signal<SaveStatus>;
  error: Signal<AppErrorCode | null>;
}

export function createMarkupSignals(): MarkupSignals {
  return {
    presentationId: signal(null),
    policy: signal(DEFAULT_MARKUP_POLICY),
    marks: signal(new Map()),
    pending: signal(new Set()),
    live: signal(new Map()),
    draft: signal(null),
    tool: signal(null),
    canUndo: signal(false),
    canRedo: signal(false),
    selected: signal(null),
    save: signal({ status: 'idle' }),
    error: signal(null),
  };
}

/** The marks of one page, oldest first (drawing order). */
export function marksOfPage(marks: ReadonlyMap<string, Mark>, page: number): Mark[] {
  return [...marks.values()].filter((m) => m.page === page).sort((a, b) => a.createdAt - b.createdAt || (a.markId < b.markId ? -1 : 1));
}

export function withMark<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

export function without<K, V>(map: ReadonlyMap<K, V>, keys: Iterable<K>): Map<K, V> {
  const next = new Map(map);
  for (const key of keys) next.delete(key);
  return next;
}

