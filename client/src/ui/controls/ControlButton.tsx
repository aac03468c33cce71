/**
 * One control of the meeting's bar: the same component renders in the bar
 * (icon over a short label, at least 56 × 56 px) and in the "more" sheet (a
 * full-width row). Controls of features (minutes, recording, moderation)
 * import it from here, not from the bar that lists them.
 */
import type { ComponentChildren, JSX } from 'preact';

export interface ControlProps {
  /** Rendered as a row of the "more" sheet rather than in the bar. */
  inSheet: boolean;
}

type ButtonAttributes = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'class' | 'icon' | 'label'>;

/** One control: icon and label; `tone` colours it (off = red, active = yellow, danger = leave). */
export function ControlButton({
  inSheet,
  tone,
  icon,
  label,
  children,
  ...rest
}: ControlProps & ButtonAttributes & { tone?: 'off' | 'active' | 'danger' | undefined; icon: ComponentChildren; label: string }) {
  const base = inSheet ? 'button sheet__item' : 'button control';
  const toneClass = tone === 'off' ? 'control--off' : tone === 'active' ? 'control--active' : tone === 'danger' ? 'control--leave' : '';
  return (
    <button type="button" class={`${base} ${toneClass}`} {...rest}>
      {icon}
      <span class="control__label">{label}</span>
      {children}
    </button>
  );
}
