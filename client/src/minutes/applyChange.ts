/**
 * The minutes as a participant holds them, kept in step with the server:
 * `applyChange` folds one `minutesChanged` into the state. Pure, so that the
 * integration test folds the same notifications a page does and checks that
 * two participants converge on what the server stored.
 *
 * An item change is applied only when its version is newer than the one
 * held, so a late notification never rolls an item back.
 */
import type { MinutesChange, MinutesItem, MinutesState } from '@chantier/signaling/protocol';

export function applyChange(state: MinutesState, change: MinutesChange): MinutesState {
  switch (change.type) {
    case 'item': {
      const held = state.items.find((i) => i.itemId === change.item.itemId);
      if (held && held.version >= change.item.version) return state;
      const items = held ? state.items.map((i) => (i.itemId === change.item.itemId ? change.item : i)) : [...state.items, change.item];
      return { ...state, items: sortItems(items) };
    }
    case 'itemDeleted':
      return { ...state, items: state.items.filter((i) => i.itemId !== change.itemId) };
    case 'section': {
      const others = state.sections.filter((s) => s.sectionId !== change.section.sectionId);
      return { ...state, sections: [...others, change.section].sort((a, b) => a.order - b.order || a.title.localeCompare(b.title)) };
    }
    case 'attendance': {
      const others = state.attendance.filter((a) => a.personId !== change.entry.personId);
      return { ...state, attendance: [...others, change.entry].sort((a, b) => Number(b.invited) - Number(a.invited) || a.name.localeCompare(b.name)) };
    }
    case 'editors':
      return { ...state, info: { ...state.info, editors: change.editors } };
    case 'published': {
      const known = state.info.publications.some((p) => p.documentId === change.publication.documentId);
      return {
        ...state,
        info: { ...state.info, number: change.number, publications: known ? state.info.publications : [...state.info.publications, change.publication] },
      };
    }
  }
}

function sortItems(items: MinutesItem[]): MinutesItem[] {
  return items.sort((a, b) => a.createdAt - b.createdAt || a.itemId.localeCompare(b.itemId));
}

/** Whether `userId` may edit, once the editors list changed (the server decides; this keeps the panel right). */
export function mayEdit(state: MinutesState, userId: string, moderator: boolean): boolean {
  return moderator || state.info.chair.userId === userId || state.info.editors.includes(userId);
}
