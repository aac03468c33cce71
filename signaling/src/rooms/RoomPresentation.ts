/**
 * A meeting's presentation: the document presented now (at most one), who
 * presents it and the view they show. Everyone joined is told of each
 * change through the Room's broadcast. Part of a Room, which delegates to it.
 */
import { AppError } from '../errors.js';
import {
  ErrorCode,
  type NotificationData,
  type NotificationType,
  type Presentation,
  type PresentationView,
} from '../protocol/index.js';

/** The Room's broadcast: to every joined session but `exceptPeerId`. */
export type Broadcast = <T extends NotificationType>(type: T, data: NotificationData<T>, exceptPeerId?: string) => void;

export class RoomPresentation {
  #current: Presentation | null = null;
  readonly #broadcast: Broadcast;

  constructor(broadcast: Broadcast) {
    this.#broadcast = broadcast;
  }

  get current(): Presentation | null {
    return this.#current;
  }

  /** Starts (or takes over) the room's presentation; everyone is told. */
  start(presentation: Presentation): void {
    this.#current = presentation;
    this.#broadcast('presentation', { presentation });
  }

  /** The presenter's new view; refused for anyone else or a stale presentation. */
  update(presenterPeerId: string | undefined, presentationId: string, view: PresentationView): void {
    const current = this.#own(presenterPeerId, presentationId);
    current.view = view;
    this.#broadcast('presentationView', { presentationId, view }, presenterPeerId);
  }

  stop(presenterPeerId: string | undefined, presentationId: string): void {
    this.#own(presenterPeerId, presentationId);
    this.#end();
  }

  /** A peer left: the presentation ends with its presenter. */
  peerLeft(peerId: string): void {
    if (this.#current?.presenterPeerId === peerId) this.#end();
  }

  #end(): void {
    this.#current = null;
    this.#broadcast('presentation', { presentation: null });
  }

  #own(peerId: string | undefined, presentationId: string): Presentation {
    const current = this.#current;
    if (!current || current.presentationId !== presentationId) {
      throw new AppError(ErrorCode.NOT_FOUND, 'no such presentation in progress');
    }
    if (current.presenterPeerId !== peerId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'only the presenter controls the presentation');
    }
    return current;
  }
}
