import { t } from '../i18n';
import type { TileModel } from '../state/roomState';
import { MicOffIcon, ScreenShareIcon } from './icons';
import { initials } from './initials';
import { VideoView } from './MediaElements';

/** One participant: camera (or initials), name, muted mic, sharing mark, active-speaker border. */
export function Tile({ tile }: { tile: TileModel }) {
  // The shared screen itself is on the stage; the tile keeps the face.
  const video = tile.videoTrack;
  const classes = ['tile', tile.speaking ? 'tile--speaking' : '', tile.isSelf ? 'tile--self' : ''].join(' ');
  return (
    <article
      class={classes}
      data-testid="tile"
      data-peer-id={tile.peerId}
      data-self={String(tile.isSelf)}
      data-speaking={String(tile.speaking)}
      data-mic-muted={String(tile.micMuted)}
      data-camera-off={String(tile.cameraOff)}
      data-sharing={String(tile.sharingScreen)}
      aria-label={tile.isSelf ? t('tile.you', { name: tile.displayName }) : tile.displayName}
    >
      {video ? (
        <VideoView track={video} mirrored={tile.isSelf} />
      ) : (
        <div class="tile__avatar" aria-hidden="true">
          <span>{initials(tile.displayName)}</span>
        </div>
      )}
      <div class="tile__label">
        {tile.sharingScreen && (
          <span class="tile__sharing" title={t('tile.sharing')}>
            <ScreenShareIcon />
            <span class="visually-hidden">{t('tile.sharing')}</span>
          </span>
        )}
        {tile.micMuted && (
          <span class="tile__muted" title={t('tile.micMuted')}>
            <MicOffIcon />
            <span class="visually-hidden">{t('tile.micMuted')}</span>
          </span>
        )}
        <span class="tile__name" data-testid="tile-name">
          {tile.displayName}
        </span>
        {tile.isSelf && <span class="tile__you">{t('tile.youMark')}</span>}
      </div>
    </article>
  );
}
