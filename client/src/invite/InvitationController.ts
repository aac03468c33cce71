/**
 * The invitation page (/i/<code>): asks the server what the link opens, lets
 * the person pick a display name, and trades the code for an access token
 * (signaling/src/routes/invitations.ts). Public calls: no token yet.
 */
import { signal, type Signal } from '@preact/signals';
import type { ApiClient } from '../api/ApiClient';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { normalizeDisplayName } from '../room/displayName';

const log = createLogger('invitation');

/** What GET /api/invitations/:code answers. */
export interface InvitationInfo {
  projectName: string;
  role: 'member' | 'guest';
  roomId?: string;
  expiresAt: number;
}

/** What POST /api/invitations/:code/accept answers. */
export interface AcceptedInvitation {
  token: string;
  projectId: string;
  roomId?: string;
  expiresAt: number;
}

/**
 * loading    asking what the link opens
 * ready      the form shows
 * accepting  the name was sent
 * error      the link opens nothing (INVITATION_INVALID, _EXPIRED, _USED_UP...)
 */
export type InvitationPhase = 'loading' | 'ready' | 'accepting' | 'error';

export interface InvitationState {
  phase: Signal<InvitationPhase>;
  info: Signal<InvitationInfo | null>;
  error: Signal<AppErrorCode | null>;
  displayName: Signal<string>;
}

export function createInvitationState(displayName = ''): InvitationState {
  return {
    phase: signal<InvitationPhase>('loading'),
    info: signal<InvitationInfo | null>(null),
    error: signal<AppErrorCode | null>(null),
    displayName: signal(displayName),
  };
}

export interface InvitationActions {
  setDisplayName(name: string): void;
  accept(): Promise<void>;
}

export interface InvitationControllerOptions {
  state: InvitationState;
  /** An ApiClient without a token. */
  api: Pick<ApiClient, 'getJson' | 'postJson'>;
  code: string;
  /** Called with the accepted token: store it and go (main.tsx). */
  onAccepted: (answer: AcceptedInvitation, displayName: string) => void;
}

export class InvitationController implements InvitationActions {
  private readonly state: InvitationState;
  private readonly path: string;

  constructor(private readonly options: InvitationControllerOptions) {
    this.state = options.state;
    this.path = `/api/invitations/${encodeURIComponent(options.code)}`;
  }

  async load(): Promise<void> {
    try {
      this.state.info.value = await this.options.api.getJson<InvitationInfo>(this.path);
      this.state.phase.value = 'ready';
    } catch (error) {
      this.fail(error);
    }
  }

  setDisplayName(name: string): void {
    this.state.displayName.value = name;
  }

  async accept(): Promise<void> {
    if (this.state.phase.value !== 'ready') return;
    const displayName = normalizeDisplayName(this.state.displayName.value);
    if (!displayName) return; // the form's required field says why
    this.state.phase.value = 'accepting';
    try {
      const answer = await this.options.api.postJson<AcceptedInvitation>(`${this.path}/accept`, { displayName });
      this.options.onAccepted(answer, displayName);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const code = errorCodeOf(error);
    log.warn('invitation refused', code);
    this.state.error.value = code;
    // A network failure or a rate limit may pass: the form stays, with the reason.
    this.state.phase.value = this.state.info.value && (code === 'CONNECTION_LOST' || code === 'TIMEOUT' || code === 'RATE_LIMITED') ? 'ready' : 'error';
  }
}
