/** What "Enregistrer dans le projet" gave: the saved document (opens like a chat attachment), or the coded error. */
import { errorText, t } from '../../i18n';
import { Attachment } from '../chat/Attachment';
import { useMarkup } from './context';

export function SaveStatus() {
  const markup = useMarkup();
  const save = markup?.state.save.value;
  if (!save || save.status === 'idle' || save.status === 'saving') return null;
  if (save.status === 'failed') {
    return (
      <p class="markup-save markup-save--failed" role="alert" data-testid="markup-save-status" data-status="failed" data-code={save.code}>
        {t('markup.saveFailed', { reason: errorText(save.code) })}
      </p>
    );
  }
  return (
    <div class="markup-save" role="status" data-testid="markup-save-status" data-status="saved" data-document-id={save.document.documentId}>
      <p>{t('markup.saved')}</p>
      <Attachment document={save.document} />
    </div>
  );
}
