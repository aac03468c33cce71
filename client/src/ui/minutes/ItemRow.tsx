import type { ItemKind, MinutesItem } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import type { ItemDraft } from '../../minutes/MinutesController';
import { act } from '../act';
import { TrashIcon } from '../icons';
import { useMinutes } from './context';

const KINDS: readonly ItemKind[] = ['observation', 'decision', 'action', 'information'];

export interface PersonOption {
  userId: string;
  displayName: string;
}

function draftOf(item: MinutesItem): ItemDraft {
  return {
    itemId: item.itemId,
    sectionId: item.sectionId,
    kind: item.kind,
    text: item.text,
    ...(item.owner ? { owner: 'company' in item.owner ? { company: item.owner.company } : { userId: item.owner.userId } } : {}),
    ...(item.due ? { due: item.due } : {}),
    ...(item.status ? { status: item.status } : {}),
    ...(item.markup ? { markup: item.markup } : {}),
  };
}

function ownerLabel(item: MinutesItem): string {
  if (!item.owner) return '';
  return 'company' in item.owner ? item.owner.company : item.owner.displayName;
}

/** "À faire par": a participant's name picks the member, anything else is a company. */
function ownerFrom(value: string, people: readonly PersonOption[]): ItemDraft['owner'] {
  const text = value.trim();
  if (!text) return undefined;
  const person = people.find((p) => p.displayName === text);
  return person ? { userId: person.userId } : { company: text };
}

/** One item: kind, text, and for an action who, by when, state. Each change is saved at once. */
export function ItemRow({ item, editable, people }: { item: MinutesItem; editable: boolean; people: readonly PersonOption[] }) {
  const { actions } = useMinutes();
  const save = (patch: { [K in keyof ItemDraft]?: ItemDraft[K] | undefined }): void => {
    const merged: Record<string, unknown> = { ...draftOf(item), ...patch };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    act(actions.saveItem(merged as unknown as ItemDraft));
  };
  const carried = item.carriedFrom;
  return (
    <li class={`minutes-item minutes-item--${item.kind}`} data-testid="minutes-item" data-item-id={item.itemId} data-version={item.version}>
      <div class="minutes-item__head">
        <select
          class="minutes-item__kind"
          aria-label={t(`minutes.kind.${item.kind}`)}
          disabled={!editable}
          value={item.kind}
          onChange={(e) => save({ kind: (e.currentTarget as HTMLSelectElement).value as ItemKind })}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`minutes.kind.${k}`)}
            </option>
          ))}
        </select>
        {carried && (
          <span class="minutes-item__carried">
            {carried.number ? t('minutes.carriedFrom', { number: carried.number }) : t('minutes.carriedFromDate', { date: new Date(carried.date).toLocaleDateString() })}
          </span>
        )}
        {item.markup && <span class="minutes-item__markup">{t('minutes.markup', { pin: item.markup.pin })}</span>}
        {editable && (
          <button type="button" class="button button--ghost" aria-label={t('minutes.item.delete')} title={t('minutes.item.delete')} onClick={() => act(actions.deleteItem(item.itemId))}>
            <TrashIcon />
          </button>
        )}
      </div>
      <textarea
        class="minutes-item__text"
        data-testid="minutes-item-text"
        key={`${item.itemId}:${item.version}`}
        readOnly={!editable}
        placeholder={t('minutes.item.placeholder')}
        defaultValue={item.text}
        rows={2}
        onChange={(e) => {
          const text = (e.currentTarget as HTMLTextAreaElement).value;
          if (text !== item.text) save({ text });
        }}
      />
      {item.kind === 'action' && (
        <div class="minutes-item__action">
          <label>
            {t('minutes.owner')}
            <input
              list="minutes-people"
              key={`owner:${item.version}`}
              defaultValue={ownerLabel(item)}
              readOnly={!editable}
              placeholder={t('minutes.owner.company')}
              onChange={(e) => save({ owner: ownerFrom((e.currentTarget as HTMLInputElement).value, people) })}
            />
          </label>
          <label>
            {t('minutes.due')}
            <input type="date" key={`due:${item.version}`} defaultValue={item.due ?? ''} readOnly={!editable} onChange={(e) => {
              const due = (e.currentTarget as HTMLInputElement).value;
              save(due ? { due } : { due: undefined });
            }} />
          </label>
          <label class="minutes-item__done">
            <input
              type="checkbox"
              data-testid="minutes-item-done"
              checked={item.status === 'done'}
              disabled={!editable}
              onChange={(e) => save({ status: (e.currentTarget as HTMLInputElement).checked ? 'done' : 'open' })}
            />
            {t(item.status === 'done' ? 'minutes.action.done' : 'minutes.action.open')}
          </label>
        </div>
      )}
    </li>
  );
}
