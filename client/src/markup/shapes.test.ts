import { describe, expect, it } from 'vitest';
import type { Matrix } from './geometry';
import { cloudPath, drawMark, fontSizeOf, HIGHLIGHTER_OPACITY, PIN_RADIUS, pinCorner, polylinePath, signedArea } from './shapes';

/** Page of height 100, scale 2, no offset: (x, y) → (2x, 200 − 2y). */
const m: Matrix = [2, 0, 0, -2, 0, 200];

describe('mark shapes on the stage', () => {
  it('draws a pen stroke as a polyline in stage pixels, width scaled', () => {
    const [d] = drawMark({ tool: 'pen', points: [0, 0, 10, 10, 20, 0], width: 2, color: '#e6194b' }, m);
    expect(d).toEqual({ kind: 'path', d: 'M0 200L20 180L40 200', stroke: '#e6194b', strokeWidth: 4, fill: 'none', opacity: 1 });
  });

  it('shows a one-point stroke as a dot, and lets the plan show through a highlighter', () => {
    expect(polylinePath([{ x: 1, y: 2 }])).toBe('M1 2l0.01 0');
    const [d] = drawMark({ tool: 'highlighter', points: [0, 0, 10, 0], width: 12, color: '#1f5fd6' }, m);
    expect(d).toMatchObject({ opacity: HIGHLIGHTER_OPACITY, strokeWidth: 24 });
  });

  it('puts an arrow’s head at its second point', () => {
    const [d] = drawMark({ tool: 'arrow', points: [0, 50, 50, 50], width: 2, color: '#000000' }, m);
    const path = (d as { d: string }).d;
    expect(path.startsWith('M0 100L100 100M')).toBe(true);
    // Both head lines end at the tip.
    expect(path).toMatch(/L100 100L/);
  });

  it('draws rectangles and ellipses from two opposite corners', () => {
    const [rect] = drawMark({ tool: 'rect', points: [10, 10, 30, 40], width: 1, color: '#000000' }, m);
    expect((rect as { d: string }).d).toBe('M20 180L60 180L60 120L20 120Z');
    const [ellipse] = drawMark({ tool: 'ellipse', points: [10, 10, 30, 40], width: 1, color: '#000000' }, m);
    expect((ellipse as { d: string }).d).toBe('M20 150A20 30 0 1 0 60 150A20 30 0 1 0 20 150Z');
  });

  it('draws a revision cloud as bumps along every edge, outwards either way round', () => {
    const square = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 100 },
      { x: 0, y: 100 },
    ];
    const d = cloudPath(square, 25);
    expect(d.match(/A/g)).toHaveLength(16);
    const reversed = cloudPath([...square].reverse(), 25);
    // Same bumps, the sweep flips with the turning direction.
    expect(signedArea(square)).toBeGreaterThan(0);
    expect(d).toContain('0 0 1 ');
    expect(reversed).toContain('0 0 0 ');
  });

  it('writes text notes and pins at their point, sized with the zoom', () => {
    const [text] = drawMark({ tool: 'text', points: [10, 90], width: 2, color: '#2e9e3f', text: 'Reprendre\nl’enduit' }, m);
    expect(text).toEqual({ kind: 'text', x: 20, y: 20, fontSize: fontSizeOf(2) * 2, lines: ['Reprendre', 'l’enduit'], color: '#2e9e3f' });
    // A pin's point is its top-left corner: its centre is a radius right and down.
    const [pin] = drawMark({ tool: 'pin', points: [10, 90], width: 2, color: '#2e9e3f', pin: 3 }, m);
    expect(pin).toMatchObject({ kind: 'pin', x: 20 + PIN_RADIUS * 2, y: 20 + PIN_RADIUS * 2, r: PIN_RADIUS * 2, label: '3' });
    expect(pinCorner({ x: 50, y: 50 })).toEqual({ x: 50 - PIN_RADIUS, y: 50 + PIN_RADIUS });
  });
});
