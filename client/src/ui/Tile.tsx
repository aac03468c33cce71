import { t } from '../i18n';
import type { TileModel } from '../state/roomState';
import { MicOffIcon } from './icons';
import { initials } from './initials';
import { VideoView } from './MediaElements';

/** One participant: video (or initials), name, muted mic, active-speaker border. */
export function Tile({ tile }: { tile: TileModel }) {
  // A shared screen, when there is one, matters more on a site than a face.
  const video = tile.screenTrack ?? tile.videoTrack;
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
      aria-label={tile.isSelf ? t('tile.you', { name: tile.displayName }) : tile.displayName}
    >
      {video ? (
        <VideoView track={video} mirrored={tile.isSelf && video === tile.videoTrack} />
      ) : (
        <div class="tile__avatar" aria-hidden="true">
          <span>{initials(tile.displayName)}</span>
        </div>
      )}
      <div class="tile__label">
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
