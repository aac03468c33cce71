/**
 * The presenter's and moderators' markup options: who may draw ("Annoter :
 * tout le monde / présentateur seulement"), whether guests may (moderators),
 * clearing the page (moderators, confirmed first), and "Enregistrer dans le
 * projet".
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { act } from '../act';
import { useMarkup } from './context';
import { SaveStatus } from './SaveStatus';

export function MarkupOptions({ page, onClose }: { page: number; onClose: () => void }) {
  const markup = useMarkup();
  const [confirmClear, setConfirmClear] = useState(false);
  if (!markup) return null;
  const { state, actions } = markup;
  const policy = state.policy.value;
  const moderator = state.isModerator.value;
  const saving = state.save.value.status === 'saving';
  return (
    <div class="markup-menu markup-options" role="dialog" aria-label={t('markup.more')} data-testid="markup-options">
      <fieldset class="markup-options__policy">
        <legend>{t('markup.policy')}</legend>
        {(['all', 'presenter'] as const).map((drawers) => (
          <label key={drawers}>
            <input
              type="radio"
              name="markup-drawers"
              data-testid={`markup-policy-${drawers}`}
              checked={policy.drawers === drawers}
              onChange={() => act(actions.setPolicy({ drawers }))}
            />
            {t(`markup.policy.${drawers}`)}
          </label>
        ))}
      </fieldset>
      {moderator && (
        <label class="markup-options__guests">
          <input
            type="checkbox"
            data-testid="markup-guests"
            checked={policy.guests}
            onChange={(event) => act(actions.setPolicy({ guests: event.currentTarget.checked }))}
          />
          {t('markup.guests')}
        </label>
      )}
      {moderator &&
        (confirmClear ? (
          <div class="markup-options__confirm" role="alertdialog" data-testid="markup-clear-confirm">
            <p>{t('markup.clearConfirm', { page })}</p>
            <button
              type="button"
              class="button button--danger"
              data-testid="markup-clear-yes"
              onClick={() => {
                setConfirmClear(false);
                onClose();
                act(actions.clearPage(page));
              }}
            >
              {t('markup.clearYes')}
            </button>
            <button type="button" class="button" data-testid="markup-clear-no" onClick={() => setConfirmClear(false)}>
              {t('markup.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="button button--danger" data-testid="markup-clear" onClick={() => setConfirmClear(true)}>
            {t('markup.clearPage')}
          </button>
        ))}
      {state.canManage.value && (
        <button type="button" class="button button--primary" data-testid="markup-save" disabled={saving} onClick={() => act(actions.saveToProject())}>
          {saving ? t('markup.saving') : t('markup.save')}
        </button>
      )}
      <SaveStatus />
    </div>
  );
}
