/**
 * Still pictures of the meeting's shared screens, for viewers whose downlink
 * cannot carry the screen's video (issue 21; the SFU decides who:
 * sfu/src/screenStill.ts). Per share: who needs it, and only its latest
 * picture, in memory, gone with the share. The sharer is told to make
 * pictures while somebody needs them (`screenStillWanted`); each viewer that
 * needs one is told of each new version (`screenStill`) and fetches it over
 * HTTP (routes/screenStills.ts). Part of a Room.
 */
import { AppError } from '../errors.js';
import { ErrorCode, type NotificationData, type NotificationType } from '../protocol/index.js';

/** A still of a 1920x1080 plan is ~30-120 KB (WebP, measured on test/plan.ts); anything far above is refused. */
export const MAX_STILL_BYTES = 512 * 1024;

/** What a still may be, by its first bytes (the Content-Type is only a claim). */
export type StillType = 'image/webp' | 'image/png' | 'image/jpeg';

export interface Still {
  version: number;
  type: StillType;
  bytes: Buffer;
}

/** The picture's type from its signature; null when it is none of the three. */
export function stillTypeOf(bytes: Uint8Array): StillType | null {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG' && bytes[4] === 0x0d && bytes[5] === 0x0a) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Sends one notification to one joined peer (nothing when it is gone). */
export type NotifyPeer = <T extends NotificationType>(peerId: string, type: T, data: NotificationData<T>) => void;

/**
 * A viewer's fetch that waits for a share's first picture (routes/screenStills.ts
 * `?wait=true`) is answered within this: the sharer makes it as its screen is
 * produced (~0.1-2 s), so a fetch sent as the share is announced gets it as
 * soon as it exists, without a notification first.
 */
export const FIRST_STILL_WAIT_MS = 10_000;
/** Fetches waiting for one share's first picture at most (one per viewer's page is the use); beyond, answered at once. */
export const MAX_WAITING_PER_SHARE = 200;

interface Share {
  sharerPeerId: string;
  viewers: Set<string>;
  /** Viewers whose downlink is being judged as the share begins (MediaPeer.expectScreen). */
  judging: Set<string>;
  still: Still | null;
  /** Fetches waiting for its first picture, with the fetching user's peers: called with it, or with null. */
  waiting: Map<(still: Still | null) => void, ReadonlySet<string>>;
}

export class ScreenStills {
  /** By the screen producer's id. */
  readonly #shares = new Map<string, Share>();
  readonly #notify: NotifyPeer;

  constructor(notify: NotifyPeer) {
    this.#notify = notify;
  }

  /** A screen share started (its producer). */
  shareStarted(producerId: string, sharerPeerId: string): void {
    if (!this.#shares.has(producerId)) {
      this.#shares.set(producerId, { sharerPeerId, viewers: new Set(), judging: new Set(), still: null, waiting: new Map() });
    }
  }

  /**
   * A viewer's downlink is being judged as the share begins (`verdict`
   * settles once it is): its fetch of the first picture waits for it until
   * then, and afterwards only if the viewer needs the still.
   */
  judging(producerId: string, viewerPeerId: string, verdict: Promise<unknown>): void {
    const share = this.#shares.get(producerId);
    if (!share) return;
    share.judging.add(viewerPeerId);
    void verdict
      .catch(() => undefined)
      .then(() => {
        share.judging.delete(viewerPeerId);
        for (const [done, peers] of share.waiting) if (!this.#mayNeed(share, peers)) done(null);
      });
  }

  /** A share ended (its producer closed): its picture is gone. */
  shareEnded(producerId: string): void {
    const share = this.#shares.get(producerId);
    this.#shares.delete(producerId);
    for (const done of share?.waiting.keys() ?? []) done(null);
  }

  /** A viewer needs (or no longer needs) a still of the share: the sharer and the viewer are told. */
  viewerNeeds(viewerPeerId: string, producerId: string, needed: boolean): void {
    const share = this.#shares.get(producerId);
    if (!share) return;
    const before = share.viewers.size;
    if (needed) share.viewers.add(viewerPeerId);
    else if (!share.viewers.delete(viewerPeerId)) return;
    if ((before === 0) !== (share.viewers.size === 0)) {
      this.#notify(share.sharerPeerId, 'screenStillWanted', { producerId, wanted: share.viewers.size > 0 });
    }
    if (needed && share.still) this.#tell(viewerPeerId, share, producerId);
    if (!needed) this.#notify(viewerPeerId, 'screenStill', { peerId: share.sharerPeerId, producerId, version: null });
  }

  /** A peer left: it views nothing more (its shares end with their producers). */
  peerLeft(peerId: string): void {
    for (const [producerId, share] of this.#shares) {
      if (share.viewers.has(peerId)) this.viewerNeeds(peerId, producerId, false);
    }
  }

  /** The sharer's new picture (validated here): kept as the only one, announced to the viewers that need it. */
  put(peerIdOfUploader: string, producerId: string, bytes: Buffer): Still {
    const share = this.#ownShare(producerId, peerIdOfUploader);
    if (bytes.length > MAX_STILL_BYTES) throw new AppError(ErrorCode.TOO_LARGE, `a still is at most ${MAX_STILL_BYTES} bytes`);
    const type = stillTypeOf(bytes);
    if (!type) throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'a still is a WebP, PNG or JPEG picture');
    share.still = { version: (share.still?.version ?? 0) + 1, type, bytes };
    for (const viewer of share.viewers) this.#tell(viewer, share, producerId);
    const waiting = [...share.waiting.keys()];
    share.waiting.clear();
    for (const done of waiting) done(share.still);
    return share.still;
  }

  /**
   * The share's latest picture, or its first one as soon as the sharer puts
   * it (within `withinMs`) when one of `forPeers` (the fetching user's peers)
   * needs the still or is still being judged. NOT_FOUND when there is no such
   * share, when it ends first, when none of them needs it, or when none comes
   * in time. `cancelled` (the fetch went away) stops the wait.
   */
  async first(producerId: string, forPeers: ReadonlySet<string>, withinMs = FIRST_STILL_WAIT_MS, cancelled?: AbortSignal): Promise<Still> {
    const share = this.#shares.get(producerId);
    if (!share) throw new AppError(ErrorCode.NOT_FOUND, 'no such screen share');
    if (share.still || !this.#mayNeed(share, forPeers) || share.waiting.size >= MAX_WAITING_PER_SHARE || cancelled?.aborted) {
      return this.get(producerId);
    }
    const still = await new Promise<Still | null>((resolve) => {
      const done = (value: Still | null): void => {
        clearTimeout(timer);
        cancelled?.removeEventListener('abort', stop);
        share.waiting.delete(done);
        resolve(value);
      };
      const stop = (): void => done(null);
      const timer = setTimeout(stop, withinMs);
      cancelled?.addEventListener('abort', stop, { once: true });
      share.waiting.set(done, forPeers);
    });
    if (!still) throw new AppError(ErrorCode.NOT_FOUND, 'no still of this share');
    return still;
  }

  /** The share's latest picture; NOT_FOUND when there is no such share or no picture yet. */
  get(producerId: string): Still {
    const still = this.#shares.get(producerId)?.still;
    if (!still) throw new AppError(ErrorCode.NOT_FOUND, 'no still of this share');
    return still;
  }

  /** The peer id of a share's owner; NOT_FOUND when there is no such share. */
  sharerOf(producerId: string): string {
    const share = this.#shares.get(producerId);
    if (!share) throw new AppError(ErrorCode.NOT_FOUND, 'no such screen share');
    return share.sharerPeerId;
  }

  /** One of `peers` needs the share's still, or is being judged. */
  #mayNeed(share: Share, peers: ReadonlySet<string>): boolean {
    for (const peerId of peers) if (share.viewers.has(peerId) || share.judging.has(peerId)) return true;
    return false;
  }

  #ownShare(producerId: string, peerId: string): Share {
    const share = this.#shares.get(producerId);
    if (!share) throw new AppError(ErrorCode.NOT_FOUND, 'no such screen share');
    if (share.sharerPeerId !== peerId) throw new AppError(ErrorCode.FORBIDDEN, 'only the sharer sends the stills of a share');
    return share;
  }

  #tell(viewerPeerId: string, share: Share, producerId: string): void {
    this.#notify(viewerPeerId, 'screenStill', { peerId: share.sharerPeerId, producerId, version: share.still!.version });
  }
}
