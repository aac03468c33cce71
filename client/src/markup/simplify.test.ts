import { describe, expect, it } from 'vitest';
import { simplifyStroke } from './simplify';

describe('stroke simplification', () => {
  it('drops points on a straight line and keeps the corners and ends', () => {
    const points: number[] = [];
    for (let x = 0; x <= 100; x++) points.push(x, 0);
    for (let y = 1; y <= 100; y++) points.push(100, y);
    expect(simplifyStroke(points, 0.5)).toEqual([0, 0, 100, 0, 100, 100]);
  });

  it('keeps a curve within the tolerance, rounded to 0.01', () => {
    const points: number[] = [];
    for (let i = 0; i <= 200; i++) points.push(i, Math.sin(i / 10) * 20 + 0.004);
    const out = simplifyStroke(points, 0.25);
    expect(out.length).toBeLessThan(points.length / 2);
    for (const v of out) expect(Math.round(v * 100) / 100).toBe(v);
  });

  it('fits the protocol’s limit however long the stroke', () => {
    const points: number[] = [];
    // A slow spiral of 20,000 points: every one of them off the line of its neighbours.
    for (let i = 0; i < 20_000; i++) points.push(Math.cos(i / 300) * (i / 40), Math.sin(i / 300) * (i / 40));
    const out = simplifyStroke(points, 0.0001, 5000);
    expect(out.length / 2).toBeLessThanOrEqual(5000);
    expect(out.slice(0, 2)).toEqual([0, 0]);
  });
});
