import { describe, expect, it } from 'vitest';
import { MarkHistory } from './history';

const mark = (markId: string) => ({ markId, page: 1, tool: 'pen' as const, width: 2, points: [0, 0, 1, 1] });

describe('undo and redo of one’s own marks', () => {
  it('undoes an add by erasing it and an erase by adding the same marks again', () => {
    const h = new MarkHistory();
    h.record({ kind: 'add', marks: [mark('a')] });
    h.record({ kind: 'erase', marks: [mark('b')] });
    expect(h.undo()).toEqual({ kind: 'add', marks: [mark('b')] });
    expect(h.undo()).toEqual({ kind: 'erase', marks: [mark('a')] });
    expect(h.undo()).toBeNull();
    expect(h.redo()).toEqual({ kind: 'add', marks: [mark('a')] });
    expect(h.canRedo).toBe(true);
    // A new step forgets what was undone.
    h.record({ kind: 'add', marks: [mark('c')] });
    expect(h.canRedo).toBe(false);
  });

  it('forgets marks someone else erased', () => {
    const h = new MarkHistory();
    h.record({ kind: 'add', marks: [mark('a')] });
    h.record({ kind: 'add', marks: [mark('b')] });
    h.forget(new Set(['b']));
    expect(h.undo()).toEqual({ kind: 'erase', marks: [mark('a')] });
    expect(h.canUndo).toBe(false);
  });
});
