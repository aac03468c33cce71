import { describe, expect, it } from 'vitest';
import { fitControls, NARROW_SLOT, slotCount, slotSizeFor, WIDE_SLOT, type ControlSpec } from './controlLayout';

/** The meeting bar as ControlBar declares it (with the audio-only toggle another part adds). */
const MEETING: ControlSpec[] = [
  { id: 'mic', priority: 0, pinned: true },
  { id: 'camera', priority: 1 },
  { id: 'audio-only', priority: 3 },
  { id: 'screen', priority: 4 },
  { id: 'present', priority: 4 },
  { id: 'chat', priority: 2 },
  { id: 'leave', priority: 0, pinned: true },
];

/** The bar's content width for a viewport: 8 px padding each side. */
const inner = (viewport: number): number => viewport - 16;

describe('fitControls', () => {
  it('keeps mic, camera, chat and leave in the bar of a 360 px phone, the rest in the sheet', () => {
    const layout = fitControls(MEETING, inner(360), slotSizeFor(360));
    expect(layout).toEqual({ bar: ['mic', 'camera', 'chat', 'leave'], more: ['audio-only', 'screen', 'present'], showMore: true });
  });

  it('still shows five slots (four controls and "more") at 320 px', () => {
    expect(slotCount(inner(320), NARROW_SLOT)).toBe(5);
    expect(fitControls(MEETING, inner(320), NARROW_SLOT).bar).toEqual(['mic', 'camera', 'chat', 'leave']);
  });

  it('puts everything in the bar when it fits, with no "more" button', () => {
    expect(fitControls(MEETING, inner(1024), slotSizeFor(1024))).toEqual({
      bar: MEETING.map((s) => s.id),
      more: [],
      showMore: false,
    });
  });

  it('uses the full width before overflowing: 7 controls need 7 slots, else 5 + more', () => {
    const seven = 7 * WIDE_SLOT.slot + 6 * WIDE_SLOT.gap;
    expect(fitControls(MEETING, seven, WIDE_SLOT).showMore).toBe(false);
    const layout = fitControls(MEETING, seven - 1, WIDE_SLOT);
    expect(layout.bar).toEqual(['mic', 'camera', 'audio-only', 'chat', 'leave']);
    expect(layout.more).toEqual(['screen', 'present']);
  });

  it('among equal priorities, moves the later ones first', () => {
    const specs = MEETING.filter((s) => s.id !== 'audio-only' && s.id !== 'camera');
    // Five controls, four slots: mic, chat, leave and "more" leave room for no tied one.
    expect(fitControls(specs, 4 * WIDE_SLOT.slot + 3 * WIDE_SLOT.gap, WIDE_SLOT).more).toEqual(['screen', 'present']);
    const tied = [...specs.slice(0, 3), { id: 'raise-hand', priority: 4 }, ...specs.slice(3)];
    // Six controls, five slots: one tied control fits, the first declared.
    const layout = fitControls(tied, 5 * WIDE_SLOT.slot + 4 * WIDE_SLOT.gap, WIDE_SLOT);
    expect(layout.bar).toEqual(['mic', 'screen', 'chat', 'leave']);
    expect(layout.more).toEqual(['present', 'raise-hand']);
  });

  it('never moves pinned controls, even when nothing else fits', () => {
    const layout = fitControls(MEETING, 100, NARROW_SLOT);
    expect(layout.bar).toEqual(['mic', 'leave']);
    expect(layout.more).toEqual(['camera', 'audio-only', 'screen', 'present', 'chat']);
  });

  it('shows "more" for sheet-only content even when every control fits', () => {
    const layout = fitControls(MEETING.slice(0, 3), 1000, WIDE_SLOT, true);
    expect(layout).toEqual({ bar: ['mic', 'camera', 'audio-only'], more: [], showMore: true });
  });

  it('adding a control is one entry: the new one overflows by its priority', () => {
    const withRaise = [...MEETING.slice(0, 6), { id: 'raise-hand', priority: 1 }, MEETING[6]!];
    expect(fitControls(withRaise, inner(360), NARROW_SLOT).bar).toEqual(['mic', 'camera', 'raise-hand', 'leave']);
  });
});
