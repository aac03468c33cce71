import { isCallRoom } from '../../call/callState';
import { t } from '../../i18n';
import { NoWebrtcLine } from '../BrowserNotice';
import { useProject } from '../context';
import { CameraIcon } from '../icons';
import { initials } from '../initials';

function names(people: readonly { displayName: string }[]): string {
  return people.map((p) => p.displayName).join(', ');
}

/**
 * The way into the project's meeting: one big button to the default room,
 * who is already in it, and any other room someone is in.
 */
export function JoinCard() {
  const { state } = useProject();
  const [main, ...others] = state.rooms.value;
  if (!main) return null;
  return (
    <section class="join-card" aria-label={t('project.join')}>
      <a class="button button--primary join-card__button" data-testid="join-meeting" data-room-id={main.roomId} href={main.href}>
        <CameraIcon />
        <span>{t('project.join')}</span>
      </a>
      <NoWebrtcLine />
      <div class="join-card__people" data-testid="meeting-people" data-count={main.people.length}>
        {main.people.length > 0 && (
          <span class="avatars" aria-hidden="true">
            {main.people.slice(0, 4).map((p) => (
              <span key={p.userId} class="avatar avatar--small">
                {initials(p.displayName)}
              </span>
            ))}
          </span>
        )}
        <span>
          {main.people.length > 0 ? t('project.meetingPeople', { names: names(main.people) }) : t('project.meetingEmpty')}
        </span>
      </div>
      {others.length > 0 && (
        <div class="join-card__others">
          <h2 class="section-title">{t('project.otherRooms')}</h2>
          <ul class="plain-list">
            {others.map((room) => (
              <li key={room.roomId} class="join-card__room">
                <a class="button" data-testid="join-room" data-room-id={room.roomId} href={room.href}>
                  {isCallRoom(room.roomId) ? t('call.joinCall') : t('project.joinRoom', { room: room.roomId })}
                </a>
                <span class="join-card__room-people">{names(room.people)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
