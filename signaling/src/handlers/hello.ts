import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.js';
import { randomId } from '../randomId.js';
import { ErrorCode, PROTOCOL_VERSION, type PresenceSnapshot } from '../protocol/index.js';
import { helloIceServers } from '../turn/CredentialRenewal.js';
import { newResumeSecret, resumeSession } from './resume.js';
import type { HandlerContext, HandlerDef } from './types.js';
import { jsonFragmentOf, preparedJson } from '../ws/jsonFragment.js';

/** Failed authentication answers late, so that guessing tokens is slow. */
const AUTH_FAILURE_DELAY_MS = 250;

export const hello: HandlerDef<'hello'> = {
  requires: 'none',
  async handle(ctx, data) {
    const { app, session, rooms } = ctx;
    if (session.state !== 'new') throw new AppError(ErrorCode.BAD_REQUEST, 'hello was already sent');
    if (data.protocol !== PROTOCOL_VERSION) {
      throw new AppError(ErrorCode.UNSUPPORTED_PROTOCOL, `this server speaks protocol ${PROTOCOL_VERSION}`);
    }
    let identity;
    try {
      if (!data.token) throw new AppError(ErrorCode.UNAUTHORIZED, 'no token');
      identity = await app.tokens.verify(data.token);
    } catch (error) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw error;
    }
    if (identity.projectId !== data.projectId) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw new AppError(ErrorCode.FORBIDDEN, 'the token is for another project');
    }
    // A token limited to one meeting opens that meeting's socket only (not the project page's).
    if (identity.roomId !== undefined && identity.roomId !== data.roomId) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw new AppError(ErrorCode.FORBIDDEN, 'the token is for another meeting');
    }
    const projectId = data.projectId;
    if (data.resume) {
      if (!data.roomId) throw new AppError(ErrorCode.BAD_REQUEST, 'only a meeting socket can be resumed');
      const local = rooms.get(projectId, data.roomId);
      // The session lives on another node, alive: resume there (a dead node's sessions are gone: RESUME_FAILED).
      const holderUrl = local ? undefined : await app.nodes.liveHolderUrl(projectId, data.roomId).catch(() => undefined);
      if (holderUrl) throw new AppError(ErrorCode.WRONG_NODE, 'this meeting is held by another node', { url: holderUrl });
      const resumed = await resumeSession(ctx, identity, local, data.resume);
      // The resuming token is the newest the client has: it becomes the session's.
      resumed.identity = identity;
      const room = resumed.room!;
      const [presence, unread, nodes] = await Promise.all([
        // Version 0: the client's first change will show a gap, and it asks for a snapshot.
        app.presence.snapshot(projectId).catch(() => ({ version: 0, connections: [] })),
        app.chat.unread(projectId, identity.userId).catch(() => 0),
        liveNodes(ctx),
      ]);
      return {
        protocol: PROTOCOL_VERSION,
        peerId: resumed.peerId!,
        projectId,
        roomId: room.roomId,
        routerRtpCapabilities: jsonFragmentOf(room.media.rtpCapabilities),
        self: { userId: identity.userId, displayName: identity.displayName, role: identity.role },
        // Fresh credentials; the session's renewal now counts from these.
        iceServers: helloIceServers(app.turn, resumed),
        presence,
        unread,
        resumeSecret: resumed.resumeSecret!,
        resumed: { joined: resumed.state === 'joined' },
        ...(nodes ? { nodes } : {}),
      };
    }
    session.identity = identity;
    session.projectId = projectId;
    session.device = data.device ?? 'desktop';
    session.peerId = randomId(9);
    session.log = session.log.child({ peerId: session.peerId, projectId, roomId: data.roomId });

    const room = data.roomId ? await rooms.attach(session, projectId, data.roomId) : undefined;
    session.room = room;
    if (room) session.resumeSecret = newResumeSecret();
    session.state = 'ready';
    // Independent, together (their Redis commands leave in one write). The presence write answers with
    // the snapshot it makes (one command); the ringing calls are read now, replayed after the answer.
    const [presenceJson, , unread, nodes, ringing] = await Promise.all([
      app.hub.connect(session, projectId),
      app.projects.remember(projectId, { userId: identity.userId, displayName: identity.displayName, role: identity.role }),
      app.chat.unread(projectId, identity.userId),
      data.roomId ? liveNodes(ctx) : Promise.resolve(undefined),
      app.calls.ringingIds(projectId).catch((error: unknown) => {
        session.log.warn({ err: error }, 'calls not replayed');
        return [];
      }),
    ]);
    // After this answer (each notification follows a read of its call): ringing calls for a new page
    // of an invitee, answers so far for the caller's.
    app.calls
      .replay(projectId, identity.userId, data.roomId, ringing, (n) => session.notify(n.type, n.data as never))
      .catch((error: unknown) => session.log.warn({ err: error }, 'calls not replayed'));
    return {
      protocol: PROTOCOL_VERSION,
      peerId: session.peerId,
      projectId,
      ...(room ? { roomId: room.roomId, routerRtpCapabilities: jsonFragmentOf(room.media.rtpCapabilities) } : {}),
      self: { userId: identity.userId, displayName: identity.displayName, role: identity.role },
      // Fresh TURN credentials for this user (none when TURN is not configured),
      // renewed before they expire on a meeting socket.
      iceServers: helloIceServers(app.turn, session),
      // Spliced in as the presence script made it of Redis's records (store/presence.ts).
      presence: preparedJson<PresenceSnapshot>(presenceJson),
      unread,
      ...(session.resumeSecret ? { resumeSecret: session.resumeSecret } : {}),
      ...(nodes ? { nodes } : {}),
    };
  },
};

/**
 * Where a meeting's client may come back if this node dies: the live nodes
 * (this one alone if Redis fails). None outside a cluster (no CLUSTER_URLS):
 * a lone node's URL may be a guess (PUBLIC_URL's default) not worth a try.
 */
function liveNodes({ app, config, session }: HandlerContext): Promise<string[] | undefined> {
  if (config.cluster.clusterUrls.length === 0) return Promise.resolve(undefined);
  return app.nodes.liveUrls().catch((error: unknown) => {
    session.log.warn({ err: error }, 'live nodes not listed');
    return [app.nodes.url];
  });
}

export const ping: HandlerDef<'ping'> = {
  requires: 'ready',
  async handle() {
    return { time: Date.now() };
  },
};
