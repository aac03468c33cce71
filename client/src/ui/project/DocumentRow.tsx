import { useEffect } from 'preact/hooks';
import { toDocumentRef, type ProjectDocument } from '../../api/ProjectApi';
import { canDelete } from '../../documents/DocumentsController';
import { t } from '../../i18n';
import { act } from '../act';
import { useChat, useProject } from '../context';
import { formatDate, formatSize } from '../format';
import { DownloadIcon, FileIcon, ShareIcon, TrashIcon } from '../icons';

/** A document: a tap on it opens it (PDF, images) or downloads it; download, share and delete beside. */
export function DocumentRow({ document }: { document: ProjectDocument }) {
  const { state, documents } = useProject();
  const { files } = useChat();
  const ref = toDocumentRef(document);
  const busy = documents.state.busy.value.has(document.documentId);
  useEffect(() => {
    if (document.thumbnail) files.actions.loadThumbnail(ref);
  }, [document.documentId, document.thumbnail]);
  const thumbnail = files.thumbnails.value.get(document.documentId) ?? null;
  const { name } = document;
  return (
    <li class="doc" data-testid="document" data-document-id={document.documentId}>
      <button
        type="button"
        class="doc__open"
        data-testid="document-open"
        aria-label={t('documents.open', { name })}
        onClick={() => files.actions.open(ref)}
      >
        {thumbnail ? (
          <img class="doc__thumb" src={thumbnail} alt="" />
        ) : (
          <span class="doc__thumb doc__thumb--icon" aria-hidden="true">
            <FileIcon />
          </span>
        )}
        <span class="doc__text">
          <span class="doc__name">
            {name}
            {document.version > 1 && <span class="pill">{t('documents.version', { n: document.version })}</span>}
          </span>
          <span class="doc__meta">
            {t('documents.meta', {
              size: formatSize(document.size),
              who: document.uploadedBy.displayName,
              date: formatDate(document.uploadedAt),
            })}
          </span>
        </span>
      </button>
      <div class="doc__actions">
        <button
          type="button"
          class="button button--ghost icon-button"
          data-testid="document-download"
          aria-label={t('documents.download', { name })}
          title={t('documents.download', { name })}
          onClick={() => files.actions.download(ref)}
        >
          <DownloadIcon />
        </button>
        <button
          type="button"
          class="button button--ghost icon-button"
          data-testid="document-share"
          aria-label={t('documents.share', { name })}
          title={t('documents.share', { name })}
          disabled={busy}
          onClick={() => act(documents.actions.share(document.documentId))}
        >
          <ShareIcon />
        </button>
        {canDelete(document, state.self.value) && (
          <button
            type="button"
            class="button button--ghost icon-button icon-button--danger"
            data-testid="document-delete"
            aria-label={t('documents.delete', { name })}
            title={t('documents.delete', { name })}
            disabled={busy}
            onClick={() => act(documents.actions.remove(document.documentId))}
          >
            <TrashIcon />
          </button>
        )}
      </div>
    </li>
  );
}
