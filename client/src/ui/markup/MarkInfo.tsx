/** A tapped mark: who made it and when (and its pin number), with "Effacer" for those who may. */
import { act } from '../act';
import { t } from '../../i18n';
import { apply, type Matrix } from '../../markup/geometry';
import type { Mark } from '@chantier/signaling/protocol';
import { formatTime } from '../format';
import { useMarkup } from './context';

export function MarkInfo({ mark, toStage, erasable }: { mark: Mark; toStage: Matrix; erasable: boolean }) {
  const markup = useMarkup();
  if (!markup) return null;
  const { actions, state } = markup;
  const at = apply(toStage, mark.points[0] ?? 0, mark.points[1] ?? 0);
  const pending = state.pending.value.has(mark.markId);
  return (
    <div class="markup-info" role="dialog" data-testid="markup-info" style={{ left: `${at.x}px`, top: `${at.y}px` }}>
      <span class="markup-info__swatch" style={{ background: mark.color }} aria-hidden="true" />
      <span class="markup-info__text">
        {mark.tool === 'pin' && mark.pin !== undefined && <strong>{t('markup.pin', { n: mark.pin })} · </strong>}
        {t('markup.by', { name: mark.authorName, time: formatTime(mark.createdAt) })}
        {pending && ` (${t('markup.pending')})`}
      </span>
      {erasable && (
        <button type="button" class="button button--danger" data-testid="markup-info-erase" onClick={() => act(actions.erase([mark.markId]))}>
          {t('markup.erase')}
        </button>
      )}
      <button type="button" class="button" aria-label={t('markup.close')} onClick={() => actions.select(null)}>
        ×
      </button>
    </div>
  );
}
