import { describe, expect, it } from 'vitest';
import { initials } from './initials';

describe('initials', () => {
  it('takes the first letters of the first and last words', () => {
    expect(initials('Jean-Marc Durand')).toBe('JD');
    expect(initials('  émilie   de la Tour ')).toBe('ÉT');
    expect(initials('alice')).toBe('A');
  });

  it('keeps a character outside the BMP whole, and copes with nothing', () => {
    expect(initials('😀 Bob')).toBe('😀B');
    expect(initials('   ')).toBe('?');
  });
});
