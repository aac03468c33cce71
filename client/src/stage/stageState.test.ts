import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { GRID, type StageItem } from './stageItems';
import { createStage } from './stageState';

const screen = (peerId: string): StageItem => ({ kind: 'screen', peerId, producerId: `${peerId}-1` });

describe('createStage', () => {
  it('follows the content, and holds the viewer’s choice until something new appears', () => {
    const content = signal<readonly StageItem[]>([]);
    const { state, actions } = createStage(content);
    expect(state.items.value).toEqual([GRID]);
    expect(state.current.value).toEqual(GRID);

    content.value = [screen('a')];
    expect(state.current.value).toEqual(screen('a'));
    actions.show(GRID);
    expect(state.current.value).toEqual(GRID);

    content.value = [screen('a'), screen('b')];
    expect(state.items.value).toEqual([screen('a'), screen('b'), GRID]);
    expect(state.current.value).toEqual(screen('b'));

    content.value = [];
    expect(state.current.value).toEqual(GRID);
  });
});
