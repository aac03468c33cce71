import { signal } from '@preact/signals';
import { t } from '../../i18n';
import { act } from '../act';
import { useRoom } from '../context';

/**
 * "Terminer pour tous" asks first. The question lives outside the control
 * (which may sit in the "more" sheet, closed by the click that opened this).
 */
export const endConfirmOpen = signal(false);

export function EndMeetingConfirm() {
  const { actions } = useRoom();
  if (!endConfirmOpen.value) return null;
  const close = () => {
    endConfirmOpen.value = false;
  };
  return (
    <>
      <div class="sheet-backdrop" onClick={close} />
      <div class="sheet confirm" role="alertdialog" aria-modal="true" aria-label={t('moderation.endConfirm')} data-testid="end-confirm">
        <p class="confirm__text">{t('moderation.endConfirm')}</p>
        <button
          type="button"
          class="button sheet__item control--leave"
          data-testid="end-confirm-yes"
          onClick={() => {
            close();
            act(actions.endMeetingForAll());
          }}
        >
          {t('moderation.endConfirmYes')}
        </button>
        <button type="button" class="button sheet__item" data-testid="end-confirm-no" onClick={close}>
          {t('moderation.endConfirmNo')}
        </button>
      </div>
    </>
  );
}
