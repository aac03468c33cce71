/**
 * Past meetings of the project, from their records: when, how long, who
 * came, its published compte rendu, what was presented and shared. The chat says the same in passing;
 * this is the place to look back.
 */
import type { DocumentRef, MeetingRecord } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import { useChat, useProject } from '../context';
import { formatDate, formatDuration, formatTime } from '../format';
import './meetings.css';

const SHOWN = 10;

function DocumentLink({ document }: { document: DocumentRef }) {
  const { files } = useChat();
  const label = `${document.name}${document.version > 1 ? ` (v${document.version})` : ''}`;
  return (
    <button type="button" class="link-button" data-testid="meeting-document" onClick={() => files.actions.open(document)}>
      {label}
    </button>
  );
}

function Meeting({ record }: { record: MeetingRecord }) {
  const duration = record.endedAt === null ? null : formatDuration(record.endedAt - record.startedAt);
  return (
    <li class="meeting-record" data-testid="meeting-record" data-meeting-id={record.meetingId}>
      <p class="meeting-record__when">
        <strong>{formatDate(record.startedAt)}</strong> {formatTime(record.startedAt, record.startedAt)}
        {duration && ` · ${duration}`}
        {record.interrupted && ` · ${t('meetings.interrupted')}`}
      </p>
      <p class="meeting-record__who">
        {t('meetings.attendees', { names: record.attendees.map((a) => a.displayName).join(', ') })}
      </p>
      {record.minutes && (
        <p class="meeting-record__docs" data-testid="meeting-minutes">
          {t('minutes.history', { number: record.minutes.number })}{' '}
          <DocumentLink
            document={{ documentId: record.minutes.documentId, name: record.minutes.name, version: record.minutes.version, mimeType: 'application/pdf', size: 0 }}
          />
        </p>
      )}
      {record.presentations.length > 0 && (
        <p class="meeting-record__docs">
          {t('meetings.presented')}{' '}
          {record.presentations.map((p) => (
            <span key={`${p.document.documentId}-${p.at}`}>
              <DocumentLink document={p.document} /> ({p.by.displayName}){' '}
            </span>
          ))}
        </p>
      )}
      {record.documents.length > 0 && (
        <p class="meeting-record__docs">
          {t('meetings.shared')}{' '}
          {record.documents.map((d) => (
            <span key={d.documentId}>
              <DocumentLink document={d} />{' '}
            </span>
          ))}
        </p>
      )}
    </li>
  );
}

export function MeetingsPanel() {
  const { state } = useProject();
  const meetings = state.meetings.value;
  return (
    <section class="meetings" data-testid="meetings" aria-labelledby="meetings-title">
      <h2 id="meetings-title" class="section-title">
        {t('meetings.title')}
      </h2>
      {meetings === null ? null : meetings.length === 0 ? (
        <p class="muted">{t('meetings.empty')}</p>
      ) : (
        <ul class="plain-list">
          {meetings.slice(0, SHOWN).map((record) => (
            <Meeting key={record.meetingId} record={record} />
          ))}
        </ul>
      )}
    </section>
  );
}
