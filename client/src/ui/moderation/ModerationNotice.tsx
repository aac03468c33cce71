import { t } from '../../i18n';
import { useRoom } from '../context';
import { CloseIcon } from '../icons';

/** What a moderator did to this participant: "Léa a coupé votre micro". */
export function ModerationNotice() {
  const { state, actions } = useRoom();
  const notice = state.moderationNotice.value;
  if (!notice) return null;
  const key =
    notice.action === 'mute'
      ? notice.locked
        ? 'moderation.notice.muteLocked'
        : 'moderation.notice.mute'
      : notice.action === 'stopCamera'
        ? 'moderation.notice.stopCamera'
        : 'moderation.notice.stopScreen';
  return (
    <p class="notice-line moderation-notice" role="alert" data-testid="moderation-notice" data-action={notice.action}>
      <span class="share-banner__text">{t(key, { name: notice.by })}</span>
      <button
        type="button"
        class="button button--ghost icon-button"
        data-testid="moderation-notice-dismiss"
        aria-label={t('moderation.notice.dismiss')}
        onClick={() => actions.dismissModerationNotice()}
      >
        <CloseIcon />
      </button>
    </p>
  );
}
