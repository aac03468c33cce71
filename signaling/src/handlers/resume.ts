/**
 * hello with `resume`: a new socket takes back a meeting session whose socket
 * was lost (network switch, tunnel). Same peer, same transports, producers and
 * consumers; others are told nothing. The notifications the client missed
 * (seq > lastSeq) follow the hello's response, in order.
 */
import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Identity } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { randomId } from '../randomId.js';
import { CloseReason, ErrorCode, type RequestData } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { Session } from '../ws/Session.js';
import type { HandlerContext } from './types.js';

/** A wrong secret or another user's peer answers late, like a failed authentication. */
const REFUSAL_DELAY_MS = 250;

export function newResumeSecret(): string {
  return randomId(18);
}

type ResumeRequest = NonNullable<RequestData<'hello'>['resume']>;

type Outcome =
  | { ok: true; session: Session }
  | { ok: false; why: string; suspicious: boolean; end?: Session };

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Finds the session and moves this socket onto it, in the room's queue (so
 * that no join, leave or grace expiry interleaves). Resolves with the session
 * resumed; throws RESUME_FAILED otherwise, the existing session untouched
 * except when it can no longer be resumed (its missed notifications are no
 * longer all kept): then it is ended at once, so that the client's fresh join
 * does not meet its own ghost.
 */
export async function resumeSession(
  ctx: HandlerContext,
  identity: Identity,
  room: Room | undefined,
  resume: ResumeRequest,
): Promise<Session> {
  const outcome: Outcome = room
    ? await room.inQueue('resume', async () => {
        const old = room.findAttached(resume.peerId);
        if (!old || old.state === 'closed' || !old.resumeSecret) return { ok: false, why: 'no such session', suspicious: false };
        if (old.identity?.userId !== identity.userId || !sameSecret(old.resumeSecret, resume.secret)) {
          return { ok: false, why: 'not this session', suspicious: true };
        }
        if (!old.canReplayFrom(resume.lastSeq)) {
          return { ok: false, why: 'missed notifications no longer kept', suspicious: false, end: old };
        }
        // Hold live notifications back until the replay has gone, so that
        // everything arrives in seq order after the hello's response.
        old.hold();
        ctx.connection.takeOver(old);
        old.resumeSecret = newResumeSecret();
        ctx.afterResponse.push(() => {
          const replayed = old.release(resume.lastSeq);
          old.log.info({ lastSeq: resume.lastSeq, replayed }, 'missed notifications replayed');
        });
        return { ok: true, session: old };
      })
    : { ok: false, why: 'no such room', suspicious: false };

  if (outcome.ok) return outcome.session;
  ctx.session.log.info({ peerId: resume.peerId, why: outcome.why }, 'resume refused');
  if (outcome.end) await ctx.connection.end(outcome.end, CloseReason.DISCONNECTED);
  if (outcome.suspicious) await sleep(REFUSAL_DELAY_MS);
  throw new AppError(ErrorCode.RESUME_FAILED, 'this session cannot be resumed: hello anew and join');
}
