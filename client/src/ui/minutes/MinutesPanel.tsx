import type { AttendanceStatus, MinutesState } from '@chantier/signaling/protocol';
import { CARRIED_SECTION_ID, GENERAL_SECTION_ID } from '@chantier/signaling/protocol';
import { useState } from 'preact/hooks';
import { t, errorText } from '../../i18n';
import { act } from '../act';
import { useRoom } from '../context';
import { BackIcon, CloseIcon } from '../icons';
import { useMinutes } from './context';
import { ItemRow, type PersonOption } from './ItemRow';
import './minutes.css';

const STATUSES: readonly AttendanceStatus[] = ['present', 'excused', 'absent'];

function sectionTitle(sectionId: string, title: string): string {
  if (sectionId === CARRIED_SECTION_ID) return t('minutes.section.carried');
  if (sectionId === GENERAL_SECTION_ID) return t('minutes.section.general');
  return title;
}

function Attendance({ minutes }: { minutes: MinutesState }) {
  const { actions } = useMinutes();
  return (
    <section class="minutes__block" aria-labelledby="minutes-attendance">
      <h3 id="minutes-attendance">{t('minutes.attendance')}</h3>
      <table class="minutes__attendance" data-testid="minutes-attendance">
        <tbody>
          {minutes.attendance.map((a) => (
            <tr key={a.personId} data-person={a.personId} data-status={a.status}>
              <td>
                {a.name}
                {a.invited && <span class="minutes__invited"> · {t('minutes.invited')}</span>}
              </td>
              <td>
                <select
                  aria-label={a.name}
                  value={a.status}
                  disabled={!minutes.canEdit}
                  onChange={(e) => act(actions.setAttendance(a.personId, (e.currentTarget as HTMLSelectElement).value as AttendanceStatus))}
                >
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {t(`minutes.status.${s}`)}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The chair lets participants write (or no longer). */
function Editors({ minutes, people }: { minutes: MinutesState; people: readonly PersonOption[] }) {
  const { actions } = useMinutes();
  const others = people.filter((p) => p.userId !== minutes.info.chair.userId);
  if (!minutes.canPublish || others.length === 0) return null;
  return (
    <section class="minutes__block" aria-labelledby="minutes-editors">
      <h3 id="minutes-editors">{t('minutes.editors')}</h3>
      {others.map((p) => (
        <label key={p.userId} class="minutes__editor">
          <input
            type="checkbox"
            data-testid="minutes-allow"
            data-user={p.userId}
            checked={minutes.info.editors.includes(p.userId)}
            onChange={(e) => act(actions.allow(p.userId, (e.currentTarget as HTMLInputElement).checked))}
          />
          {p.displayName}
        </label>
      ))}
    </section>
  );
}

function NewSection() {
  const { actions } = useMinutes();
  const [title, setTitle] = useState('');
  return (
    <form
      class="minutes__new-section"
      onSubmit={(e) => {
        e.preventDefault();
        act(actions.addSection(title));
        setTitle('');
      }}
    >
      <input value={title} placeholder={t('minutes.section.placeholder')} aria-label={t('minutes.section.add')} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} maxLength={120} />
      <button type="submit" class="button">{t('minutes.section.add')}</button>
    </form>
  );
}

function Body({ minutes }: { minutes: MinutesState }) {
  const { state, actions } = useMinutes();
  const room = useRoom();
  const people: PersonOption[] = room.state.participants.value.map((p) => ({ userId: p.userId, displayName: p.displayName }));
  const editable = minutes.canEdit;
  const published = state.published.value;
  return (
    <div class="minutes__body">
      <p class="minutes__meta">
        <strong data-testid="minutes-number">{minutes.info.number ? t('minutes.number', { number: minutes.info.number }) : t('minutes.notNumbered')}</strong>
        {' · '}
        {minutes.info.title} · {new Date(minutes.info.date).toLocaleString()}
        <br />
        {t('minutes.chair', { name: minutes.info.chair.displayName })}
      </p>
      {!editable && <p class="minutes__note" data-testid="minutes-read-only">{t('minutes.readOnly')}</p>}
      <Editors minutes={minutes} people={people} />
      <Attendance minutes={minutes} />
      <datalist id="minutes-people">
        {people.map((p) => (
          <option key={p.userId} value={p.displayName} />
        ))}
      </datalist>
      {minutes.sections.map((section) => {
        const items = minutes.items.filter((i) => i.sectionId === section.sectionId);
        if (section.sectionId === CARRIED_SECTION_ID && items.length === 0) return null;
        return (
          <section key={section.sectionId} class="minutes__block" data-testid="minutes-section" data-section={section.sectionId}>
            <h3>{sectionTitle(section.sectionId, section.title)}</h3>
            <ul class="minutes__items">
              {items.map((item) => (
                <ItemRow key={item.itemId} item={item} editable={editable} people={people} />
              ))}
            </ul>
            {editable && section.sectionId !== CARRIED_SECTION_ID && (
              <button
                type="button"
                class="button button--ghost"
                data-testid="minutes-add-item"
                onClick={() => act(actions.saveItem({ sectionId: section.sectionId, kind: 'observation', text: '' }))}
              >
                + {t('minutes.item.add')}
              </button>
            )}
          </section>
        );
      })}
      {editable && <NewSection />}
      {minutes.canPublish && (
        <button type="button" class="button button--primary minutes__publish" data-testid="minutes-publish" disabled={state.publishing.value} onClick={() => act(actions.publish())}>
          {state.publishing.value ? t('minutes.publishing') : t('minutes.publish')}
        </button>
      )}
      {published && (
        <p class="minutes__note" role="status" data-testid="minutes-published">
          {t('minutes.published', published)}
        </p>
      )}
    </div>
  );
}

/**
 * The compte rendu, beside the video and the presentation: a column on a
 * wide screen, a full-screen sheet on a phone (the chat panel's frame and styles). Everyone
 * sees it live; the chair and whoever the chair allows write in it.
 */
export function MinutesPanel() {
  const { state, actions } = useMinutes();
  const minutes = state.minutes.value;
  const error = state.error.value;
  const notice = state.overwritten.value;
  return (
    <aside class="chat-panel minutes-panel" data-testid="minutes-panel" aria-labelledby="minutes-panel-title">
      <header class="chat-panel__header">
        <button type="button" class="button button--ghost chat-panel__back" aria-label={t('minutes.close')} onClick={() => act(actions.setOpen(false))}>
          <BackIcon />
        </button>
        <h2 id="minutes-panel-title" class="chat-panel__title">
          {t('minutes.title')}
        </h2>
        <button type="button" class="button button--ghost chat-panel__close" aria-label={t('minutes.close')} title={t('minutes.close')} onClick={() => act(actions.setOpen(false))}>
          <CloseIcon />
        </button>
      </header>
      {notice && (
        <p class="minutes__warning" role="alert" data-testid="minutes-overwritten">
          {t('minutes.overwritten', { name: notice.by, text: notice.text })}{' '}
          <button type="button" class="button button--ghost" onClick={() => actions.dismissNotice()}>
            <CloseIcon />
          </button>
        </p>
      )}
      {error && (
        <p class="minutes__warning" role="alert" data-testid="minutes-error">
          {errorText(error)}
        </p>
      )}
      {minutes ? <Body minutes={minutes} /> : <p class="minutes__note">{t('minutes.loading')}</p>}
    </aside>
  );
}
