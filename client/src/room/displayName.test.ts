import { describe, expect, it } from 'vitest';
import { DISPLAY_NAME_MAX, normalizeDisplayName } from './displayName';

describe('normalizeDisplayName', () => {
  it('trims and collapses blanks', () => {
    expect(normalizeDisplayName('  Jean   Dupont \n')).toBe('Jean Dupont');
  });

  it('gives undefined for an empty name, so that the server keeps the token one', () => {
    expect(normalizeDisplayName('   ')).toBeUndefined();
  });

  it('cuts to the protocol limit without splitting a surrogate pair', () => {
    expect(normalizeDisplayName('x'.repeat(100))).toHaveLength(DISPLAY_NAME_MAX);
    const name = normalizeDisplayName(`${'x'.repeat(DISPLAY_NAME_MAX - 1)}😀`);
    expect(name).toBe('x'.repeat(DISPLAY_NAME_MAX - 1));
  });
});
