/**
 * The stage as signals: what can be shown, what is shown, and the viewer's
 * way to choose. Built once per meeting in main.tsx from the signals of what
 * there is to show (screens now; a presented document can join the list),
 * given to components by context. Only `show` changes it.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { NO_SELECTION, pin, selectStage, withGrid, type StageItem, type StageSelection } from './stageItems';

export interface StageState {
  /** Everything one can switch to: the content items, oldest first, then the grid. */
  items: ReadonlySignal<readonly StageItem[]>;
  /** What the stage shows now. */
  current: ReadonlySignal<StageItem>;
}

export interface StageActions {
  /** The viewer's choice; it holds until it ends or something new appears. */
  show(item: StageItem): void;
}

export function createStage(content: ReadonlySignal<readonly StageItem[]>): { state: StageState; actions: StageActions } {
  const selection = signal<StageSelection>(NO_SELECTION);
  const items = computed(() => withGrid(content.value));
  const current = computed(() => selectStage(items.value, selection.value));
  return {
    state: { items, current },
    actions: {
      show(item) {
        selection.value = pin(items.value, item);
      },
    },
  };
}
