/** Choosing a project document to present: PDFs and images, latest versions. */
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { FileIcon } from '../icons';
import { usePresentation } from './context';
import './presentation.css';

export function DocumentPicker() {
  const { state, actions } = usePresentation();
  if (!state.pickerOpen.value) return null;
  const documents = state.presentable.value;
  const error = state.error.value;
  return (
    <div class="picker" role="dialog" aria-modal="true" aria-label={t('present.pickerTitle')} data-testid="present-picker">
      <div class="picker__panel">
        <header class="picker__head">
          <h2>{t('present.pickerTitle')}</h2>
          <button type="button" class="button" onClick={() => actions.closePicker()}>
            {t('present.close')}
          </button>
        </header>
        {error && (
          <p class="picker__error" role="alert" data-code={error}>
            {errorText(error)}
          </p>
        )}
        {documents === null && !error && <p>{t('present.pickerLoading')}</p>}
        {documents?.length === 0 && <p>{t('present.pickerEmpty')}</p>}
        <ul class="picker__list">
          {documents?.map((d) => (
            <li key={d.documentId} class="picker__item">
              <FileIcon />
              <span class="picker__name">
                {d.name}
                {d.version > 1 ? ` (v${d.version})` : ''}
              </span>
              <button
                type="button"
                class="button button--primary"
                data-testid="present-document"
                data-document-id={d.documentId}
                onClick={() => act(actions.start(d.documentId))}
              >
                {t('present.start')}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
