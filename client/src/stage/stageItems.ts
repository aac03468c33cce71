/**
 * What the meeting's stage can show, as plain data, and which one it shows.
 * Pure functions: the stage state (stageState.ts) applies them to signals,
 * the stage component renders the chosen item with one switch.
 *
 * The rule: the viewer's pick stays on stage while it exists, unless
 * something new appears (a new share): new content goes up, because that is
 * what the room is looking at. With no pick, the newest content is shown,
 * and the grid of participants when there is none.
 */
import type { Participant } from '../state/participants';

export type StageItem =
  | { kind: 'grid' }
  | { kind: 'screen'; peerId: string; producerId: string }
  /** A project document presented in the meeting (presentation/). */
  | { kind: 'presentation'; presentationId: string; presenterName: string };

export const GRID: StageItem = { kind: 'grid' };

/** A stable identity for an item: a new share (new producer) is a new key. */
export function stageKey(item: StageItem): string {
  switch (item.kind) {
    case 'screen':
      return `screen:${item.producerId}`;
    case 'presentation':
      return `presentation:${item.presentationId}`;
    case 'grid':
      return 'grid';
  }
}

/**
 * Remote screens that can be shown (their track has arrived), oldest share
 * first. One's own share is not among them: a tab showing itself is a hall
 * of mirrors, and the sharer sees a banner instead.
 */
export function screenShareItems(participants: readonly Participant[]): StageItem[] {
  return participants
    .filter((p) => p.screenTrack !== null && p.screenSince !== null)
    .sort((a, b) => (a.screenSince ?? 0) - (b.screenSince ?? 0))
    .flatMap((p): StageItem[] => {
      const producer = p.producers.find((q) => q.source === 'screen');
      return producer ? [{ kind: 'screen', peerId: p.peerId, producerId: producer.producerId }] : [];
    });
}

/** The viewer's last choice, and the keys that existed when it was made. */
export interface StageSelection {
  pinned: string | null;
  known: readonly string[];
}

export const NO_SELECTION: StageSelection = { pinned: null, known: [] };

/** Everything a viewer can switch between: the content items (oldest first), then the grid. */
export function withGrid(content: readonly StageItem[]): StageItem[] {
  return [...content.filter((item) => item.kind !== 'grid'), GRID];
}

/** What the viewer asked for, remembering what existed then. */
export function pin(items: readonly StageItem[], item: StageItem): StageSelection {
  return { pinned: stageKey(item), known: items.map(stageKey) };
}

/** The item on stage for the available `items` (see the rule above). */
export function selectStage(items: readonly StageItem[], selection: StageSelection): StageItem {
  const content = items.filter((item) => item.kind !== 'grid');
  const fresh = content.filter((item) => !selection.known.includes(stageKey(item)));
  const newest = fresh.at(-1);
  if (newest) return newest;
  const pinned = items.find((item) => stageKey(item) === selection.pinned);
  if (pinned) return pinned;
  return content.at(-1) ?? GRID;
}
