/**
 * Which meeting controls fit in the bar at a given width, and which go to
 * the "more" sheet. Pure: the bar measures its width, this decides.
 *
 * Every control has the same slot (narrow screens: icon above a short
 * label, at least 56 CSS px wide, gloves-friendly). The bar keeps the
 * controls in their declared order; when they do not all fit, the "more"
 * button takes one slot and the controls of lowest importance (highest
 * `priority` number, later ones first among equals) move to the sheet.
 * Pinned controls (mic, leave) never move.
 */

export interface ControlSpec {
  id: string;
  /** 0 = most used. Ties keep the declared order. */
  priority: number;
  /** Always in the bar, whatever the width. Keep at most two or three. */
  pinned?: boolean;
}

export interface ControlLayout {
  /** In declared order. */
  bar: string[];
  /** In declared order; empty when everything fits (and nothing is sheet-only). */
  more: string[];
  /** Whether the "more" button is shown. */
  showMore: boolean;
}

export interface SlotSize {
  slot: number;
  gap: number;
}

/** Below 600 px: 5 slots at 320 px (5 × 56 + 4 × 6 = 304, plus 8 px padding each side). */
export const NARROW_SLOT: SlotSize = { slot: 56, gap: 6 };
export const WIDE_SLOT: SlotSize = { slot: 72, gap: 8 };
export const WIDE_FROM_PX = 600;

export function slotSizeFor(viewportWidth: number): SlotSize {
  return viewportWidth >= WIDE_FROM_PX ? WIDE_SLOT : NARROW_SLOT;
}

/** How many slots of `size` fit in `width` px (content box of the bar). */
export function slotCount(width: number, size: SlotSize): number {
  return Math.max(0, Math.floor((width + size.gap) / (size.slot + size.gap)));
}

/**
 * @param specs the available controls, in bar order
 * @param width the bar's content width in CSS px
 * @param sheetOnly something lives only in the sheet (e.g. the audio output choice): the "more" button is shown anyway
 */
export function fitControls(specs: readonly ControlSpec[], width: number, size: SlotSize, sheetOnly = false): ControlLayout {
  const slots = slotCount(width, size);
  if (!sheetOnly && specs.length <= slots) return { bar: specs.map((s) => s.id), more: [], showMore: false };

  // One slot for the "more" button; pinned controls stay even if that overflows.
  const room = Math.max(0, slots - 1);
  const pinned = specs.filter((s) => s.pinned);
  const ranked = specs
    .map((spec, index) => ({ spec, index }))
    .filter(({ spec }) => !spec.pinned)
    .sort((a, b) => a.spec.priority - b.spec.priority || a.index - b.index);
  const keep = new Set([...pinned.map((s) => s.id), ...ranked.slice(0, Math.max(0, room - pinned.length)).map(({ spec }) => spec.id)]);
  const bar = specs.filter((s) => keep.has(s.id)).map((s) => s.id);
  const more = specs.filter((s) => !keep.has(s.id)).map((s) => s.id);
  return { bar, more, showMore: sheetOnly || more.length > 0 };
}
