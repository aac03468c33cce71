/**
 * "Arrêter la présentation", which first offers to save the marked-up plan
 * into the project when there are marks and this person may save them.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { act } from '../act';
import { useMarkup } from './context';
import { SaveStatus } from './SaveStatus';

export function StopPresenting({ stop }: { stop: () => Promise<void> }) {
  const markup = useMarkup();
  const [asking, setAsking] = useState(false);
  const offer = !!markup && markup.state.canManage.value && markup.state.marks.value.size > 0 && markup.state.save.value.status !== 'saved';
  const saving = markup?.state.save.value.status === 'saving';
  return (
    <>
      <button
        type="button"
        class="button button--danger"
        data-testid="present-stop"
        onClick={() => (offer ? setAsking(true) : act(stop()))}
      >
        {t('present.stop')}
      </button>
      {asking && markup && (
        <div class="picker" role="dialog" aria-label={t('markup.stopTitle')} data-testid="markup-stop-dialog">
          <div class="picker__panel markup-stop">
            <p>{t('markup.stopAsk')}</p>
            <SaveStatus />
            <div class="markup-stop__buttons">
              <button
                type="button"
                class="button button--primary"
                data-testid="markup-stop-save"
                disabled={saving}
                onClick={() =>
                  act(
                    markup.actions.saveToProject().then(async () => {
                      if (markup.state.save.value.status !== 'saved') return;
                      setAsking(false);
                      await stop();
                    }),
                  )
                }
              >
                {saving ? t('markup.saving') : t('markup.stopSave')}
              </button>
              <button type="button" class="button" data-testid="markup-stop-only" onClick={() => { setAsking(false); act(stop()); }}>
                {t('markup.stopOnly')}
              </button>
              <button type="button" class="button" data-testid="markup-stop-cancel" onClick={() => setAsking(false)}>
                {t('markup.cancel')}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
