/**
 * What the presenter and moderators do with the markup as a whole: who may
 * draw, clearing a page, and saving the marked-up document into the project.
 * Kept out of MarkupController, which deals with the marks themselves.
 */
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import type { MarkupSignals } from './markupState';

const log = createLogger('markup');

export type PolicyChange = { drawers?: 'presenter' | 'all'; guests?: boolean };

/** Saving writes a whole PDF on the server: more time than a usual request. */
export const SAVE_TIMEOUT_MS = 60_000;

export interface ManagementDeps {
  signals: Pick<MarkupSignals, 'presentationId' | 'policy' | 'save'>;
  /** The socket and the presentation in force, or null. */
  link(): { socket: SignalingChannel; presentationId: string } | null;
  isModerator(): boolean;
  /** Marks the server erased (a cleared page). */
  removed(markIds: readonly string[]): void;
  fail(what: string, error: unknown): void;
}

export class MarkupManagement {
  constructor(private readonly deps: ManagementDeps) {}

  async clearPage(page: number): Promise<void> {
    const link = this.deps.link();
    if (!link || !this.deps.isModerator()) return;
    try {
      const { erased } = await link.socket.request('markupClear', { presentationId: link.presentationId, page });
      this.deps.removed(erased);
    } catch (error) {
      this.deps.fail('page not cleared', error);
    }
  }

  async setPolicy(change: PolicyChange): Promise<void> {
    const link = this.deps.link();
    if (!link) return;
    try {
      const { policy } = await link.socket.request('markupPolicy', { presentationId: link.presentationId, ...change });
      if (link.presentationId === this.deps.signals.presentationId.value) this.deps.signals.policy.value = policy;
    } catch (error) {
      this.deps.fail('policy not changed', error);
    }
  }

  async save(): Promise<void> {
    const link = this.deps.link();
    const { save } = this.deps.signals;
    if (!link || save.value.status === 'saving') return;
    save.value = { status: 'saving' };
    try {
      const { document } = await link.socket.request('markupSave', { presentationId: link.presentationId }, { timeoutMs: SAVE_TIMEOUT_MS });
      if (link.presentationId === this.deps.signals.presentationId.value) save.value = { status: 'saved', document };
    } catch (error) {
      log.warn('markup not saved', error);
      if (link.presentationId === this.deps.signals.presentationId.value) save.value = { status: 'failed', code: errorCodeOf(error) };
    }
  }
}
