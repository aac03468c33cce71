/**
 * Still pictures of a shared screen (issue 21; rooms/ScreenStills.ts), for
 * viewers whose downlink cannot carry the screen's video. Both routes take
 * `Authorization: Bearer <access token>` of the project (a token limited to
 * this meeting too) and answer for a meeting held on this node:
 *
 *   PUT /api/projects/:projectId/meetings/:roomId/screens/:producerId/still
 *       body: the picture (image/webp, image/png or image/jpeg, ≤ 512 KiB)
 *       → 200 {version}; only the sharer's own user, while the share lasts
 *   GET /api/projects/:projectId/meetings/:roomId/screens/:producerId/still[?wait=true]
 *       → the latest picture (Content-Type its type, X-Still-Version), to
 *       a user joined in the meeting; NOT_FOUND before the first one, or,
 *       with wait=true, the first one as soon as the sharer sends it
 *       (NOT_FOUND if none within 10 s: rooms/ScreenStills.ts first)
 *
 * Errors: {error: {code, message}}. NOT_FOUND (no such meeting here, no such
 * share, no picture yet), FORBIDDEN (not the sharer; not in the meeting),
 * TOO_LARGE (413), UNSUPPORTED_TYPE (415: the bytes are not one of the
 * three, whatever the Content-Type said).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import { MAX_STILL_BYTES } from '../rooms/ScreenStills.js';
import { PathId as Id } from './params.js';

const StillParams = Type.Object({ projectId: Id, roomId: Id, producerId: Id });
/** wait=true: a fetch made as the share is announced waits for its first picture (ScreenStills.first). */
const StillQuery = Type.Object({ wait: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
interface StillParams {
  projectId: string;
  roomId: string;
  producerId: string;
}

const STILL_URL = '/api/projects/:projectId/meetings/:roomId/screens/:producerId/still';
/** A sharer uploads at most about one a second (client/src/room/stillSender.ts); this is room for bursts. */
const PUTS_PER_MINUTE = 120;

export async function screenStillRoutes(app: FastifyInstance): Promise<void> {
  // The body is the picture itself: kept as bytes, checked by its signature (ScreenStills.put).
  app.addContentTypeParser(
    ['image/webp', 'image/png', 'image/jpeg', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: MAX_STILL_BYTES },
    (_request, body, done) => done(null, body),
  );

  /** The meeting, on this node, where the requester's user is joined; the peer ids of that user there. */
  function meetingOf(request: FastifyRequest): { room: Room; peerIds: Set<string> } {
    const { projectId, roomId } = request.params as StillParams;
    const who = app.requireProject(request, projectId, { roomId });
    const room = app.rooms.get(projectId, roomId);
    if (!room) throw new AppError(ErrorCode.NOT_FOUND, 'no such meeting in progress here');
    const peerIds = new Set<string>();
    for (const [peerId, session] of room.joinedSessions) {
      if (who !== 'admin' && session.identity?.userId === who.userId) peerIds.add(peerId);
    }
    return { room, peerIds };
  }

  app.put(
    STILL_URL,
    {
      preHandler: app.authenticate,
      schema: { params: StillParams, response: { 200: Type.Object({ version: Type.Integer() }) } },
      config: { rateLimit: { max: PUTS_PER_MINUTE, timeWindow: 60_000 } },
    },
    async (request) => {
      const { producerId } = request.params as StillParams;
      const { room, peerIds } = meetingOf(request);
      const sharer = room.stills.sharerOf(producerId);
      if (!peerIds.has(sharer)) throw new AppError(ErrorCode.FORBIDDEN, 'only the sharer sends the stills of a share');
      if (!Buffer.isBuffer(request.body)) throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'a still is a WebP, PNG or JPEG picture');
      const still = room.stills.put(sharer, producerId, request.body);
      request.log.debug({ producerId, version: still.version, bytes: still.bytes.length }, 'screen still');
      return { version: still.version };
    },
  );

  app.get(STILL_URL, { preHandler: app.authenticate, schema: { params: StillParams, querystring: StillQuery } }, async (request, reply) => {
    const { producerId } = request.params as StillParams;
    const { wait } = request.query as { wait?: boolean };
    const { room, peerIds } = meetingOf(request);
    room.stills.sharerOf(producerId); // NOT_FOUND first: the same answer to everyone for a share that is not there
    if (peerIds.size === 0) throw new AppError(ErrorCode.FORBIDDEN, 'only the meeting’s participants see its screens');
    let still;
    if (wait) {
      // The fetch's socket closed (the viewer left, its page gave up): no more waiting for it.
      const gone = new AbortController();
      const onClose = (): void => gone.abort();
      reply.raw.once('close', onClose);
      try {
        still = await room.stills.first(producerId, peerIds, undefined, gone.signal);
      } finally {
        reply.raw.off('close', onClose);
      }
    } else {
      still = room.stills.get(producerId);
    }
    return reply
      .header('Content-Type', still.type)
      .header('X-Still-Version', String(still.version))
      .header('Cache-Control', 'no-store')
      .send(still.bytes);
  });
}
