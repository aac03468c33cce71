import { t } from '../../i18n';
import type { Participant } from '../../state/participants';
import { stageKey, type StageItem } from '../../stage/stageItems';
import { useRoom, useStage } from '../context';
import { FileIcon, GridIcon, ScreenShareIcon } from '../icons';

/** The words on an item's button. Exhaustive: a new kind of item does not compile without its label. */
export function stageLabel(item: StageItem, participants: readonly Participant[]): string {
  switch (item.kind) {
    case 'grid':
      return t('stage.grid');
    case 'screen':
      return t('stage.screenOf', { name: participants.find((p) => p.peerId === item.peerId)?.displayName ?? '?' });
    case 'presentation':
      return t('stage.presentationOf', { name: item.presenterName });
  }
}

function StageIcon({ item }: { item: StageItem }) {
  if (item.kind === 'grid') return <GridIcon />;
  return item.kind === 'presentation' ? <FileIcon /> : <ScreenShareIcon />;
}

/** One button per thing the stage can show; only there when there is a choice. */
export function StageSwitcher() {
  const { state, actions } = useStage();
  const room = useRoom();
  const items = state.items.value;
  if (items.length < 2) return null;
  const currentKey = stageKey(state.current.value);
  const participants = room.state.participants.value;
  return (
    <div class="stage-switcher" role="group" aria-label={t('stage.label')}>
      {items.map((item) => {
        const key = stageKey(item);
        const selected = key === currentKey;
        return (
          <button
            key={key}
            type="button"
            class={`button stage-switcher__option ${selected ? 'stage-switcher__option--active' : ''}`}
            data-testid="stage-option"
            data-key={key}
            data-peer-id={item.kind === 'screen' ? item.peerId : undefined}
            aria-pressed={selected}
            onClick={() => actions.show(item)}
          >
            <StageIcon item={item} />
            <span class="stage-switcher__label">{stageLabel(item, participants)}</span>
          </button>
        );
      })}
    </div>
  );
}
