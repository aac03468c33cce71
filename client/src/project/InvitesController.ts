/**
 * The owners' "Inviter" panel of the project page: make invitation links,
 * show a new link once (its code is never shown again), list the live ones
 * and revoke them (signaling/src/routes/invitations.ts).
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { NewInvitation, ProjectApi, ProjectInvitation } from '../api/ProjectApi';
import type { AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { runBusy } from '../util/runBusy';

const log = createLogger('invites');

/** The expiries the panel offers, in seconds. */
export const INVITE_EXPIRIES = { '1h': 3600, '1d': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const;
export type InviteExpiry = keyof typeof INVITE_EXPIRIES;

export interface InviteForm {
  role: 'member' | 'guest';
  expiry: InviteExpiry;
  /** '' for no limit. */
  maxUses: string;
  /** Limit the link to the project's default meeting. */
  forMeeting: boolean;
}

export interface InvitesState {
  /** All invitations still kept; null until loaded. */
  all: Signal<readonly ProjectInvitation[] | null>;
  /** Those that still open: not revoked, not expired, not used up. */
  live: ReadonlySignal<readonly ProjectInvitation[]>;
  form: Signal<InviteForm>;
  /** The link just made: shown until the next one (its code is nowhere else). */
  created: Signal<{ invitationId: string; link: string } | null>;
  busy: Signal<boolean>;
  error: Signal<AppErrorCode | null>;
}

export function isLive(invitation: ProjectInvitation, now: number): boolean {
  return (
    invitation.revokedAt === undefined &&
    invitation.expiresAt > now &&
    (invitation.maxUses === undefined || invitation.uses < invitation.maxUses)
  );
}

export function createInvitesState(now: () => number = Date.now): InvitesState {
  const all = signal<readonly ProjectInvitation[] | null>(null);
  return {
    all,
    live: computed(() => (all.value ?? []).filter((i) => isLive(i, now()))),
    form: signal<InviteForm>({ role: 'guest', expiry: '1d', maxUses: '', forMeeting: true }),
    created: signal(null),
    busy: signal(false),
    error: signal(null),
  };
}

/** The request for a form; undefined when the use count is not a whole number from 1 to 1000. */
export function invitationRequest(form: InviteForm, roomId: string): NewInvitation | undefined {
  const request: NewInvitation = { role: form.role, expiresInS: INVITE_EXPIRIES[form.expiry] };
  const uses = form.maxUses.trim();
  if (uses !== '') {
    if (!/^\d{1,4}$/.test(uses) || Number(uses) < 1 || Number(uses) > 1000) return undefined;
    request.maxUses = Number(uses);
  }
  if (form.forMeeting) request.roomId = roomId;
  return request;
}

export interface InvitesActions {
  load(): Promise<void>;
  setForm(change: Partial<InviteForm>): void;
  create(): Promise<void>;
  revoke(invitationId: string): Promise<void>;
}

export interface InvitesControllerOptions {
  state: InvitesState;
  api: Pick<ProjectApi, 'invitations' | 'createInvitation' | 'revokeInvitation'>;
  /** The meeting "pour cette réunion" means. */
  roomId: string;
  /** The link people open: `<origin>/i/<code>`. */
  linkOf: (code: string) => string;
}

export class InvitesController implements InvitesActions {
  private readonly state: InvitesState;

  constructor(private readonly options: InvitesControllerOptions) {
    this.state = options.state;
  }

  async load(): Promise<void> {
    await this.run(async () => {
      this.state.all.value = await this.options.api.invitations();
    });
  }

  setForm(change: Partial<InviteForm>): void {
    this.state.form.value = { ...this.state.form.value, ...change };
  }

  async create(): Promise<void> {
    const request = invitationRequest(this.state.form.value, this.options.roomId);
    if (!request) {
      this.state.error.value = 'BAD_REQUEST';
      return;
    }
    await this.run(async () => {
      const { invitation, code } = await this.options.api.createInvitation(request);
      this.state.created.value = { invitationId: invitation.invitationId, link: this.options.linkOf(code) };
      this.state.all.value = [invitation, ...(this.state.all.value ?? [])];
    });
  }

  async revoke(invitationId: string): Promise<void> {
    await this.run(async () => {
      await this.options.api.revokeInvitation(invitationId);
      const now = Date.now();
      this.state.all.value = (this.state.all.value ?? []).map((i) => (i.invitationId === invitationId ? { ...i, revokedAt: now } : i));
      if (this.state.created.value?.invitationId === invitationId) this.state.created.value = null;
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    await runBusy(this.state, work, (error) => log.warn('invitation action failed', error));
  }
}
