import { describe, expect, it } from 'vitest';
import { parseExposition, sumOf } from './exposition.js';

describe('parseExposition', () => {
  it('reads names, labels (escapes included) and values, skipping comments', () => {
    const samples = parseExposition(
      [
        '# HELP chantier_rooms Meetings open',
        '# TYPE chantier_rooms gauge',
        'chantier_rooms{worker="0",pid="123"} 2',
        'chantier_rooms{worker="1",pid="124"} 0',
        'up 1',
        'odd{a="x\\"y",b="back\\\\slash",c="new\\nline",} 3.5e3 1700000000000',
        'h_bucket{le="+Inf"} 4',
        'inf +Inf',
        'notanumber Nan',
        '',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'chantier_rooms', labels: { worker: '0', pid: '123' }, value: 2 },
      { name: 'chantier_rooms', labels: { worker: '1', pid: '124' }, value: 0 },
      { name: 'up', labels: {}, value: 1 },
      { name: 'odd', labels: { a: 'x"y', b: 'back\\slash', c: 'new\nline' }, value: 3500 },
      { name: 'h_bucket', labels: { le: '+Inf' }, value: 4 },
      { name: 'inf', labels: {}, value: Number.POSITIVE_INFINITY },
      { name: 'notanumber', labels: {}, value: Number.NaN },
    ]);
  });

  it('refuses what is not the format', () => {
    expect(() => parseExposition('chantier_rooms two')).toThrow(/sample value/);
    expect(() => parseExposition('{worker="0"} 1')).toThrow(/sample line/);
    expect(() => parseExposition('x{worker=0} 1')).toThrow(/labels/);
  });

  it('sums the samples that match a name and some labels', () => {
    const samples = parseExposition('a{w="0",c="X"} 1\na{w="1",c="X"} 2\na{w="1",c="Y"} 4\nb 8');
    expect(sumOf(samples, 'a')).toBe(7);
    expect(sumOf(samples, 'a', { w: '1' })).toBe(6);
    expect(sumOf(samples, 'a', { c: 'X' })).toBe(3);
    expect(sumOf(samples, 'a', { c: 'Z' })).toBe(0);
    expect(sumOf(samples, 'missing')).toBe(0);
  });
});
