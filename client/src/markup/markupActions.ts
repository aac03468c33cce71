/** What the UI may ask of the markup (MarkupController implements it). */
import type { Mark, MarkInput } from '@chantier/signaling/protocol';
import type { PolicyChange } from './markupManagement';
import type { Tool } from './markupState';

export interface MarkupActions {
  setTool(tool: Tool | null): void;
  /** Adds one's own mark (points in document coordinates); the markId is made here. */
  add(mark: Omit<MarkInput, 'markId'>, markId?: string): Promise<void>;
  /** Erases marks (one's own; moderators any). */
  erase(markIds: readonly string[]): Promise<void>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Moderators: every mark of a page (the UI confirms first). */
  clearPage(page: number): Promise<void>;
  setPolicy(change: PolicyChange): Promise<void>;
  saveToProject(): Promise<void>;
  select(markId: string | null): void;
  dismissError(): void;
  /** One's stroke while drawing it: shown here, streamed to the others. */
  drawing(draft: { markId: string; page: number; tool: Mark['tool']; width: number; points: readonly number[] } | null): void;
  newMarkId(): string;
}
