import { describe, expect, it } from 'vitest';
import { clampView, FIRST_VIEW, pageStart, pan, placement, stageToPage, zoomAt } from './view';

const a4 = { width: 595, height: 842 };
const stage = { width: 1000, height: 600 };

describe('presentation view geometry', () => {
  it('fits the page width at zoom 1 and centres the view point', () => {
    const p = placement({ ...FIRST_VIEW, centerX: 0.5, centerY: 0.5 }, a4, stage);
    expect(p.scale).toBeCloseTo(1000 / 595);
    expect(p.offsetX).toBeCloseTo(0);
    const middle = stageToPage(500, 300, p, a4);
    expect(middle.x).toBeCloseTo(0.5);
    expect(middle.y).toBeCloseTo(0.5);
  });

  it('zooms around the pointer: the page point under it stays under it', () => {
    const view = { ...FIRST_VIEW, centerY: 0.3 };
    const before = stageToPage(800, 100, placement(view, a4, stage), a4);
    const zoomed = zoomAt(view, 3, 800, 100, a4, stage);
    expect(zoomed.zoom).toBe(3);
    const after = stageToPage(800, 100, placement(zoomed, a4, stage), a4);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('pans by screen pixels and keeps the centre on the page', () => {
    const view = { ...FIRST_VIEW, zoom: 2 };
    const moved = pan(view, -100, 0, a4, stage);
    expect(moved.centerX).toBeGreaterThan(0.5);
    expect(pan(view, -1e6, 1e6, a4, stage)).toMatchObject({ centerX: 1, centerY: 0 });
  });

  it('clamps what comes from the network to the document', () => {
    expect(clampView({ page: 99, zoom: 1000, centerX: -1, centerY: 2, pointer: { x: 3, y: -1 } }, 5)).toEqual({
      page: 5,
      zoom: 16,
      centerX: 0,
      centerY: 1,
      pointer: { x: 1, y: 0 },
    });
  });

  it('starts a page at its top, fitted to the width', () => {
    const v = pageStart(3, a4, stage);
    expect(v.page).toBe(3);
    const p = placement(v, a4, stage);
    expect(stageToPage(0, 0, p, a4).y).toBeCloseTo(0);
  });
});
