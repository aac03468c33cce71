/** "Capturer pour annoter" on a screen share: its current frame becomes a presented image, ready to mark up. */
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { useMarkup } from './context';

export function CaptureButton({ track, who }: { track: MediaStreamTrack; who: string }) {
  const capture = useMarkup()?.capture;
  if (!capture) return null;
  const busy = capture.state.busy.value;
  const error = capture.state.error.value;
  return (
    <>
      <button
        type="button"
        class="button"
        data-testid="markup-capture"
        disabled={busy}
        title={t('markup.capture')}
        onClick={() => act(capture.actions.capture(track, who))}
      >
        {busy ? t('markup.capturing') : t('markup.capture')}
      </button>
      {error && (
        <span class="screen-stage__error" role="alert" data-testid="markup-capture-error" data-code={error}>
          {t('markup.captureFailed', { reason: errorText(error) })}
        </span>
      )}
    </>
  );
}
