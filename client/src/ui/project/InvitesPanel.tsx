import { useState } from 'preact/hooks';
import { errorText, t } from '../../i18n';
import { INVITE_EXPIRIES, type InviteExpiry } from '../../project/InvitesController';
import { act } from '../act';
import { useProject } from '../context';
import { formatDate, formatTime } from '../format';
import '../invite/invite.css';

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="button"
      data-testid="invite-copy"
      onClick={() => {
        // Absent on insecure origins: the field above can still be selected by hand.
        const clipboard = navigator.clipboard as Clipboard | undefined;
        if (!clipboard) return;
        act(clipboard.writeText(text).then(() => setCopied(true)));
      }}
    >
      {copied ? t('invites.copied') : t('invites.copy')}
    </button>
  );
}

/**
 * Owners only: make invitation links (role, expiry, optional use count,
 * optionally for the project's meeting), see a new link once with a copy
 * button, and revoke the live ones.
 */
export function InvitesPanel() {
  const { state, invites } = useProject();
  const [open, setOpen] = useState(false);
  if (!invites || state.self.value?.role !== 'owner') return null;
  const { state: s, actions } = invites;
  const form = s.form.value;
  const created = s.created.value;
  const error = s.error.value;
  return (
    <section class="invites" data-testid="invites" aria-labelledby="invites-title">
      <button
        type="button"
        id="invites-title"
        class="button invites__toggle"
        data-testid="invites-open"
        aria-expanded={open}
        onClick={() => {
          if (!open && s.all.value === null) act(actions.load());
          setOpen(!open);
        }}
      >
        {t('invites.title')}
      </button>
      {open && (
        <>
          <form
            class="invites__form"
            onSubmit={(event) => {
              event.preventDefault();
              act(actions.create());
            }}
          >
            <div class="field">
              <label for="invite-role">{t('invites.role')}</label>
              <select
                id="invite-role"
                class="select"
                data-testid="invite-role"
                value={form.role}
                onChange={(event) => actions.setForm({ role: event.currentTarget.value === 'member' ? 'member' : 'guest' })}
              >
                <option value="guest">{t('invites.role.guest')}</option>
                <option value="member">{t('invites.role.member')}</option>
              </select>
            </div>
            <div class="field">
              <label for="invite-expiry">{t('invites.expiry')}</label>
              <select
                id="invite-expiry"
                class="select"
                data-testid="invite-expiry"
                value={form.expiry}
                onChange={(event) => actions.setForm({ expiry: event.currentTarget.value as InviteExpiry })}
              >
                {(Object.keys(INVITE_EXPIRIES) as InviteExpiry[]).map((e) => (
                  <option key={e} value={e}>
                    {t(`invites.expiry.${e}`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="invite-uses">{t('invites.maxUses')}</label>
              <input
                id="invite-uses"
                class="input"
                data-testid="invite-uses"
                type="number"
                inputMode="numeric"
                min={1}
                max={1000}
                value={form.maxUses}
                onInput={(event) => actions.setForm({ maxUses: event.currentTarget.value })}
              />
            </div>
            <label class="invites__check">
              <input
                type="checkbox"
                data-testid="invite-for-meeting"
                checked={form.forMeeting}
                onChange={(event) => actions.setForm({ forMeeting: event.currentTarget.checked })}
              />
              <span>{t('invites.forMeeting')}</span>
            </label>
            <button type="submit" class="button button--primary" data-testid="invite-create" disabled={s.busy.value}>
              {t('invites.create')}
            </button>
          </form>
          {error && (
            <p class="notice" role="alert" data-testid="invites-error" data-code={error}>
              {errorText(error)}
            </p>
          )}
          {created && (
            <div class="invites__created" data-testid="invite-created">
              <p class="screen__text">{t('invites.created')}</p>
              <div class="invites__link-row">
                <input
                  class="input"
                  data-testid="invite-link"
                  type="text"
                  readOnly
                  value={created.link}
                  aria-label={t('invites.title')}
                  onFocus={(event) => event.currentTarget.select()}
                />
                <CopyButton text={created.link} />
              </div>
            </div>
          )}
          <h3 class="section-title">{t('invites.live')}</h3>
          {s.live.value.length === 0 ? (
            <p class="screen__text">{t('invites.none')}</p>
          ) : (
            <ul class="plain-list" data-testid="invites-list">
              {s.live.value.map((i) => (
                <li key={i.invitationId} class="invites__item" data-testid="invite-item" data-invitation-id={i.invitationId}>
                  <span class="invites__item-text">
                    {[
                      t(i.role === 'guest' ? 'invites.role.guest' : 'invites.role.member'),
                      ...(i.roomId !== undefined ? [t('invites.meeting', { room: i.roomId })] : []),
                      i.maxUses !== undefined ? t('invites.uses', { uses: i.uses, max: i.maxUses }) : t('invites.usesUnlimited', { uses: i.uses }),
                      t('invites.until', { date: `${formatDate(i.expiresAt)} ${formatTime(i.expiresAt, i.expiresAt)}` }),
                    ].join(' · ')}
                  </span>
                  <button
                    type="button"
                    class="button button--ghost"
                    data-testid="invite-revoke"
                    disabled={s.busy.value}
                    onClick={() => act(actions.revoke(i.invitationId))}
                  >
                    {t('invites.revoke')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
