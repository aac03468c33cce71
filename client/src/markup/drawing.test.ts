import { describe, expect, it } from 'vitest';
import { extend, finish } from './drawing';

describe('drawing a mark', () => {
  it('keeps every move of a freehand stroke, and only the corners of a shape', () => {
    let pen = [0, 0];
    pen = extend('pen', pen, { x: 1, y: 1 });
    pen = extend('pen', pen, { x: 1, y: 1 });
    pen = extend('pen', pen, { x: 2, y: 3 });
    expect(pen).toEqual([0, 0, 1, 1, 2, 3]);
    let rect = [5, 5];
    rect = extend('rect', rect, { x: 6, y: 6 });
    rect = extend('rect', rect, { x: 20, y: 30 });
    expect(rect).toEqual([5, 5, 20, 30]);
    expect(extend('cloud', [0, 0], { x: 10, y: 20 })).toEqual([0, 0, 10, 0, 10, 20, 0, 20]);
  });

  it('turns a tap with a shape tool into nothing, and a drag into the mark', () => {
    expect(finish({ page: 1, tool: 'rect', width: 2, points: [5, 5, 5.1, 5] }, 0.5)).toBeNull();
    expect(finish({ page: 2, tool: 'arrow', width: 2, points: [5, 5, 50.123, 5] }, 0.5)).toEqual({
      page: 2,
      tool: 'arrow',
      width: 2,
      points: [5, 5, 50.12, 5],
    });
    expect(finish({ page: 1, tool: 'pen', width: 2, points: [0, 0, 1, 0, 2, 0] }, 0.1)).toEqual({ page: 1, tool: 'pen', width: 2, points: [0, 0, 2, 0] });
  });
});
