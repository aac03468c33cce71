import { describe, expect, it } from 'vitest';
import { canModerate } from './moderation.js';

describe('canModerate', () => {
  it('lets owners and moderators moderate, and nobody else', () => {
    expect(canModerate({ role: 'owner' })).toBe(true);
    expect(canModerate({ role: 'moderator' })).toBe(true);
    expect(canModerate({ role: 'member' })).toBe(false);
    expect(canModerate({ role: 'guest' })).toBe(false);
  });
});
