import { ACCEPTED_EXTENSIONS } from '../../documents/kinds';
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { useProject } from '../context';
import { UploadIcon } from '../icons';
import { DocumentRow } from './DocumentRow';

/** Uploads in progress, and those that failed with the reason (TOO_LARGE, UNSUPPORTED_TYPE...). */
function Uploads() {
  const { documents } = useProject();
  const uploads = documents.state.uploads.value;
  if (uploads.length === 0) return null;
  return (
    <ul class="plain-list uploads">
      {uploads.map((upload) =>
        upload.status === 'uploading' ? (
          <li key={upload.uploadId} class="upload" data-testid="upload-progress">
            <span class="upload__label">
              {t('documents.uploading', {
                name: upload.name,
                percent: upload.size > 0 ? Math.min(100, Math.round((upload.loaded / upload.size) * 100)) : 0,
              })}
            </span>
            <progress class="upload__bar" max={Math.max(upload.size, 1)} value={upload.loaded} />
          </li>
        ) : (
          <li
            key={upload.uploadId}
            class="upload upload--failed"
            data-testid="upload-error"
            data-code={upload.error ?? 'INTERNAL'}
            role="alert"
          >
            <span class="upload__label">
              {t('documents.uploadFailed', { name: upload.name, reason: errorText(upload.error ?? 'INTERNAL') })}
            </span>
            <button type="button" class="button button--ghost" onClick={() => documents.actions.dismissUpload(upload.uploadId)}>
              {t('documents.dismiss')}
            </button>
          </li>
        ),
      )}
    </ul>
  );
}

export function DocumentsPanel() {
  const { documents } = useProject();
  const { state, actions } = documents;
  const list = state.latest.value;
  const loadError = state.loadError.value;
  const actionError = state.actionError.value;
  return (
    <section class="documents" data-testid="documents" aria-labelledby="documents-title">
      <h2 id="documents-title" class="section-title">
        {t('documents.title')}
      </h2>
      <label class="button button--primary documents__upload" title={t('documents.accepted')}>
        <UploadIcon />
        <span>{t('documents.upload')}</span>
        <input
          type="file"
          class="visually-hidden"
          data-testid="document-upload"
          accept={ACCEPTED_EXTENSIONS}
          multiple
          onChange={(event) => {
            const input = event.currentTarget;
            const files = Array.from(input.files ?? []);
            // Cleared so that choosing the same file again (after an error) fires again.
            input.value = '';
            for (const file of files) act(actions.upload(file));
          }}
        />
      </label>
      <p class="muted documents__accepted">{t('documents.accepted')}</p>
      <Uploads />
      {actionError && (
        <p class="notice-line" role="alert" data-testid="documents-error" data-code={actionError}>
          {errorText(actionError)}
          <button type="button" class="button button--ghost" onClick={() => actions.dismissError()}>
            {t('documents.dismiss')}
          </button>
        </p>
      )}
      {loadError && (
        <p class="notice-line" role="alert">
          {t('documents.loadError', { reason: errorText(loadError) })}
          <button type="button" class="button" onClick={() => act(actions.refresh())}>
            {t('documents.reload')}
          </button>
        </p>
      )}
      {!state.loaded.value && !loadError && <p class="muted">{t('documents.loading')}</p>}
      {state.loaded.value && list.length === 0 && <p class="muted">{t('documents.empty')}</p>}
      <ul class="plain-list documents__list">
        {list.map((document) => (
          <DocumentRow key={document.documentId} document={document} />
        ))}
      </ul>
    </section>
  );
}
