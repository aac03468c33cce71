import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import {
  canClearMarkup,
  canDraw,
  canErase,
  canSaveMarkup,
  canSetMarkupPolicy,
  checkMark,
  DEFAULT_MARKUP_POLICY,
  MARKUP_LIMITS,
  markupFontSize,
  roundPoints,
} from './markup.js';

const member = { role: 'member' as const, userId: 'u1' };
const guest = { role: 'guest' as const, userId: 'g1' };
const moderator = { role: 'moderator' as const, userId: 'm1' };
const owner = { role: 'owner' as const, userId: 'o1' };

describe('markup rights (shared by client and server)', () => {
  it('lets the presenter and moderators draw always, members when open to all, guests only when also allowed', () => {
    const all = { drawers: 'all' as const, guests: false };
    const allGuests = { drawers: 'all' as const, guests: true };
    expect(canDraw(member, true, DEFAULT_MARKUP_POLICY)).toBe(true);
    expect(canDraw(guest, true, DEFAULT_MARKUP_POLICY)).toBe(true);
    expect(canDraw(moderator, false, DEFAULT_MARKUP_POLICY)).toBe(true);
    expect(canDraw(owner, false, DEFAULT_MARKUP_POLICY)).toBe(true);
    expect(canDraw(member, false, DEFAULT_MARKUP_POLICY)).toBe(false);
    expect(canDraw(member, false, all)).toBe(true);
    expect(canDraw(guest, false, all)).toBe(false);
    expect(canDraw(guest, false, allGuests)).toBe(true);
    // guests: true without drawers: all opens nothing.
    expect(canDraw(guest, false, { drawers: 'presenter', guests: true })).toBe(false);
  });

  it('lets authors erase their own marks and moderators any; the presenter sets drawers, a moderator guests', () => {
    expect(canErase(member, 'u1')).toBe(true);
    expect(canErase(member, 'u2')).toBe(false);
    expect(canErase(moderator, 'u2')).toBe(true);
    expect(canSetMarkupPolicy(member, true, { drawers: 'all' })).toBe(true);
    expect(canSetMarkupPolicy(member, true, { drawers: 'all', guests: true })).toBe(false);
    expect(canSetMarkupPolicy(member, false, { drawers: 'all' })).toBe(false);
    expect(canSetMarkupPolicy(moderator, false, { guests: true })).toBe(true);
    expect([member, guest, moderator, owner].map((w) => canClearMarkup(w))).toEqual([false, false, true, true]);
    expect(canSaveMarkup(member, true)).toBe(true);
    expect(canSaveMarkup(member, false)).toBe(false);
    expect(canSaveMarkup(owner, false)).toBe(true);
  });
});

describe('checkMark', () => {
  it('answers the limits with their own codes before the shapes', () => {
    const long = new Array<number>((MARKUP_LIMITS.pointsPerStroke + 1) * 2).fill(1);
    expect(checkMark({ tool: 'pen', points: long })?.code).toBe(ErrorCode.MARKUP_STROKE_TOO_LONG);
    expect(checkMark({ tool: 'line', points: long })?.code).toBe(ErrorCode.MARKUP_STROKE_TOO_LONG);
    expect(checkMark({ tool: 'pen', points: long.slice(2) })).toBeNull();
    expect(checkMark({ tool: 'text', points: [1, 1], text: 'x'.repeat(1001) })?.code).toBe(ErrorCode.MARKUP_TEXT_TOO_LONG);
    expect(checkMark({ tool: 'text', points: [1, 1], text: 'x'.repeat(1000) })).toBeNull();
  });

  it('wants each tool\'s number of points, text on notes and pins only, and a text note with text', () => {
    expect(checkMark({ tool: 'pen', points: [1, 2, 3] })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'arrow', points: [1, 2, 3, 4, 5, 6] })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'arrow', points: [1, 2] })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'arrow', points: [1, 2] }, true)).toBeNull();
    expect(checkMark({ tool: 'cloud', points: [1, 2, 3, 4] })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'cloud', points: [1, 2, 3, 4, 5, 6] })).toBeNull();
    expect(checkMark({ tool: 'cloud', points: new Array<number>(1002).fill(0) })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'rect', points: [1, 2, 3, 4], text: 'a' })?.code).toBe(ErrorCode.BAD_REQUEST);
    expect(checkMark({ tool: 'pin', points: [1, 2], text: 'Fissure' })).toBeNull();
    expect(checkMark({ tool: 'text', points: [1, 2], text: '  ' })?.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('rounds points to 0.01 pt and sizes text from the width', () => {
    expect(roundPoints([1.004, 2.005, -3.333])).toEqual([1, 2.01, -3.33]);
    expect([0.25, 2, 5, 50].map(markupFontSize)).toEqual([8, 12, 30, 72]);
  });
});
