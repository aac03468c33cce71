import type { MinutesItem, MinutesState } from '@chantier/signaling/protocol';
import { describe, expect, it } from 'vitest';
import { applyChange, mayEdit } from './applyChange';

const by = { userId: 'lea', displayName: 'Léa Martin' };
const item = (itemId: string, version: number, text: string, createdAt = 1): MinutesItem => ({
  itemId, sectionId: 'general', kind: 'observation', text, createdAt, version, editedBy: by, editedAt: 1,
});
const empty: MinutesState = {
  info: { minutesId: 'm', projectId: 'p', roomId: 'r', meetingId: 'x', title: 't', date: 0, chair: by, editors: [], publications: [] },
  sections: [],
  items: [],
  attendance: [],
  canEdit: true,
  canPublish: true,
};

describe('folding minutesChanged', () => {
  it('adds, replaces by newer version only, and deletes items', () => {
    let s = applyChange(empty, { type: 'item', item: item('b', 1, 'deux', 2) });
    s = applyChange(s, { type: 'item', item: item('a', 1, 'un', 1) });
    expect(s.items.map((i) => i.itemId)).toEqual(['a', 'b']);
    s = applyChange(s, { type: 'item', item: item('a', 3, 'un bis') });
    // A late notification of an older version does not roll the item back.
    s = applyChange(s, { type: 'item', item: item('a', 2, 'périmé') });
    expect(s.items.find((i) => i.itemId === 'a')?.text).toBe('un bis');
    s = applyChange(s, { type: 'itemDeleted', itemId: 'b' });
    expect(s.items.map((i) => i.itemId)).toEqual(['a']);
  });

  it('editors, attendance and publication', () => {
    let s = applyChange(empty, { type: 'editors', editors: ['bruno'] });
    expect(mayEdit(s, 'bruno', false)).toBe(true);
    expect(mayEdit(s, 'chloe', false)).toBe(false);
    expect(mayEdit(s, 'chloe', true)).toBe(true);
    s = applyChange(s, { type: 'attendance', entry: { personId: 'bruno', name: 'Bruno', invited: true, status: 'excused', auto: false } });
    expect(s.attendance).toHaveLength(1);
    const publication = { documentId: 'd', name: 'CR 001.pdf', version: 1, at: 1, by };
    s = applyChange(s, { type: 'published', number: 1, publication });
    s = applyChange(s, { type: 'published', number: 1, publication });
    expect(s.info.number).toBe(1);
    expect(s.info.publications).toHaveLength(1);
  });
});
