/**
 * The project's presence on the page's socket: the hello's snapshot, then the
 * server's changes (protocol/presence.ts), written to the page's `online`
 * signal. A gap in the changes' versions (a change lost) asks the server for
 * a snapshot instead of showing a list that drifted. One per page; each new
 * socket starts a fresh view.
 */
import type { Signal } from '@preact/signals';
import { PresenceView, type PresenceApplied, type PresenceEntry, type PresenceSnapshot } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { SignalingClient } from '../signaling/SignalingClient';

const log = createLogger('presence');

export class PresenceSync {
  #view = new PresenceView();
  #signaling: SignalingClient | null = null;
  #resyncing = false;

  constructor(private readonly online: Signal<readonly PresenceEntry[]>) {}

  /** A new socket, before its hello: changes that come before the hello's answer are kept for it. Returns the unsubscribe. */
  listen(signaling: SignalingClient): () => void {
    this.#view = new PresenceView();
    this.#signaling = signaling;
    const off = signaling.onNotification('presence', (data) => {
      const applied = this.#view.receive(data);
      // Before the hello's snapshot, changes are held (a 'gap'), not a reason to ask for one.
      if (this.#view.version >= 0 || data.snapshot) this.#settle(applied);
    });
    return () => {
      off();
      if (this.#signaling === signaling) this.#signaling = null;
    };
  }

  /** The hello's answer. */
  hello(snapshot: PresenceSnapshot): void {
    this.#settle(this.#view.reset(snapshot));
  }

  #settle(applied: PresenceApplied): void {
    if (applied !== 'stale') this.online.value = this.#view.people;
    if (applied === 'gap') void this.#resync();
  }

  async #resync(): Promise<void> {
    const signaling = this.#signaling;
    if (!signaling || this.#resyncing) return;
    this.#resyncing = true;
    try {
      const snapshot = await signaling.request('presence', {});
      if (signaling === this.#signaling) this.#settle(this.#view.reset(snapshot));
    } catch (error) {
      // The socket went: the next hello brings a snapshot.
      log.warn('presence snapshot not received', error);
    } finally {
      this.#resyncing = false;
    }
  }
}
