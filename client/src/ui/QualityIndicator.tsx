import type { Quality } from '@chantier/signaling/protocol';
import { t } from '../i18n';
import { SignalBarsIcon } from './icons';

const BARS: Record<Quality, number> = { good: 3, fair: 2, poor: 1, lost: 0 };

/** A participant's connection quality as bars, labelled for screen readers and on hover. */
export function QualityIndicator({ peerId, quality }: { peerId: string; quality: Quality }) {
  const label = t(`quality.${quality}`);
  return (
    <span
      class={`quality quality--${quality}`}
      data-testid={`quality-${peerId}`}
      data-quality={quality}
      role="img"
      aria-label={label}
      title={label}
    >
      <SignalBarsIcon level={BARS[quality]} />
    </span>
  );
}
