import type { ModerationAction } from '@chantier/signaling/protocol';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { TileModel } from '../../state/roomState';
import { act } from '../act';
import { useRoom } from '../context';
import { CameraOffIcon, KebabIcon, LeaveIcon, MicOffIcon, ScreenStopIcon } from '../icons';

/**
 * A moderator's menu on another participant's tile: mute, stop camera, stop
 * screen share, remove. Only what applies is offered (no "mute" for a muted
 * microphone); the server checks the right to do it anyway.
 */
export function ModeratorMenu({ tile }: { tile: TileModel }) {
  const { actions } = useRoom();
  // Where the list opens: fixed to the viewport, because the tile clips what overflows it.
  const [open, setOpen] = useState<{ top: number; right: number } | null>(null);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(null);
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(null);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const items: Array<{ action: ModerationAction; label: string; icon: ComponentChildren; show: boolean }> = [
    { action: 'mute', label: t('moderation.mute'), icon: <MicOffIcon />, show: !tile.micMuted },
    { action: 'stopCamera', label: t('moderation.stopCamera'), icon: <CameraOffIcon />, show: !tile.cameraOff },
    { action: 'stopScreen', label: t('moderation.stopScreen'), icon: <ScreenStopIcon />, show: tile.sharingScreen },
    { action: 'remove', label: t('moderation.remove'), icon: <LeaveIcon />, show: true },
  ];
  return (
    <div class="tile-menu" ref={root}>
      <button
        type="button"
        class="button icon-button tile-menu__toggle"
        data-testid="tile-menu-toggle"
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-label={t('moderation.menu', { name: tile.displayName })}
        title={t('moderation.menu', { name: tile.displayName })}
        onClick={(event) => {
          const rect = event.currentTarget.getBoundingClientRect();
          setOpen(open ? null : { top: rect.bottom + 4, right: Math.max(8, window.innerWidth - rect.right) });
        }}
      >
        <KebabIcon />
      </button>
      {open && (
        <div class="tile-menu__list" role="menu" data-testid="tile-menu" style={{ top: `${open.top}px`, right: `${open.right}px` }}>
          {items
            .filter((item) => item.show)
            .map((item) => (
              <button
                key={item.action}
                type="button"
                role="menuitem"
                class={`button tile-menu__item ${item.action === 'remove' ? 'tile-menu__item--danger' : ''}`}
                data-testid={`moderate-${item.action}`}
                onClick={() => {
                  setOpen(null);
                  act(actions.moderate(tile.peerId, item.action));
                }}
              >
                {item.icon}
                <span>{item.label}</span>
              </button>
            ))}
        </div>
      )}
    </div>
  );
}
