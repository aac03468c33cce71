import { useEffect } from 'preact/hooks';
import type { DocumentRef } from '@chantier/signaling/protocol';
import { isViewable } from '../../documents/kinds';
import { t } from '../../i18n';
import { useChat } from '../context';
import { formatSize } from '../format';
import { FileIcon } from '../icons';

/** A document shared in the chat: its thumbnail (images, PDF), name and size; a tap opens it. */
export function Attachment({ document }: { document: DocumentRef }) {
  const { files } = useChat();
  const viewable = isViewable(document.mimeType);
  useEffect(() => {
    if (viewable) files.actions.loadThumbnail(document);
  }, [document.documentId, viewable]);
  const thumbnail = files.thumbnails.value.get(document.documentId) ?? null;
  return (
    <button
      type="button"
      class="attachment"
      data-testid="chat-attachment"
      data-document-id={document.documentId}
      aria-label={t('chat.openAttachment', { name: document.name })}
      onClick={() => files.actions.open(document)}
    >
      {thumbnail ? (
        <img class="attachment__thumb" src={thumbnail} alt="" />
      ) : (
        <span class="attachment__icon" aria-hidden="true">
          <FileIcon />
        </span>
      )}
      <span class="attachment__text">
        <span class="attachment__name">{document.name}</span>
        <span class="attachment__size">{formatSize(document.size)}</span>
      </span>
    </button>
  );
}
