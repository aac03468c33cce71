import { t } from '../i18n';
import { useRoom } from './context';

/**
 * While the signaling socket is being replaced (network switch, tunnel): the
 * meeting goes on as it is on screen, and this says the link is coming back.
 */
export function ReconnectingBanner() {
  const { state } = useRoom();
  if (state.connection.value !== 'reconnecting') return null;
  return (
    <p class="reconnecting-banner" role="status" aria-live="polite" data-testid="reconnecting-banner">
      <span class="reconnecting-banner__spinner" aria-hidden="true" />
      <span>{t('room.reconnecting')}</span>
    </p>
  );
}
