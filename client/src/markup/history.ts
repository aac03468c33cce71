/**
 * Undo and redo of one's own marks. The server keeps no history: undoing an
 * added mark erases it, undoing an erase adds the same marks again with the
 * same markIds (docs/PROTOCOL.md, "Markup"), so a retried operation is still
 * applied once. Pure: the controller sends what `undo` and `redo` answer.
 */
import type { MarkInput } from '@chantier/signaling/protocol';

export interface HistoryStep {
  /** What was done: marks added, or marks erased (as they were, to add them back). */
  kind: 'add' | 'erase';
  marks: readonly MarkInput[];
}

/** What to send to undo or redo a step. */
export interface Operation {
  kind: 'add' | 'erase';
  marks: readonly MarkInput[];
}

/** Steps kept; older ones are forgotten. */
export const HISTORY_DEPTH = 100;

export class MarkHistory {
  #done: HistoryStep[] = [];
  #undone: HistoryStep[] = [];

  get canUndo(): boolean {
    return this.#done.length > 0;
  }

  get canRedo(): boolean {
    return this.#undone.length > 0;
  }

  /** A new step of one's own: the redo stack goes. */
  record(step: HistoryStep): void {
    if (step.marks.length === 0) return;
    this.#done.push(step);
    if (this.#done.length > HISTORY_DEPTH) this.#done.shift();
    this.#undone = [];
  }

  /** The operation that undoes the last step, or null. */
  undo(): Operation | null {
    const step = this.#done.pop();
    if (!step) return null;
    this.#undone.push(step);
    return { kind: step.kind === 'add' ? 'erase' : 'add', marks: step.marks };
  }

  /** The operation that does the last undone step again, or null. */
  redo(): Operation | null {
    const step = this.#undone.pop();
    if (!step) return null;
    this.#done.push(step);
    return { kind: step.kind, marks: step.marks };
  }

  /** Marks erased by someone else (a moderator, a page cleared) drop out of the steps. */
  forget(markIds: ReadonlySet<string>): void {
    const keep = (step: HistoryStep): HistoryStep => ({ ...step, marks: step.marks.filter((m) => !markIds.has(m.markId)) });
    this.#done = this.#done.map(keep).filter((s) => s.marks.length > 0);
    this.#undone = this.#undone.map(keep).filter((s) => s.marks.length > 0);
  }

  clear(): void {
    this.#done = [];
    this.#undone = [];
  }
}
