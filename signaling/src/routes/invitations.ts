/**
 * Invitation links: standalone use without a host platform. An owner makes a
 * link (role member or guest, expiry, optional use count, optional meeting);
 * whoever opens it picks a display name and gets an access token of its own.
 *
 *   POST   /api/projects/:projectId/invitations                 owners (or the admin token)
 *   GET    /api/projects/:projectId/invitations                 owners: never the codes
 *   DELETE /api/projects/:projectId/invitations/:invitationId   owners: revoked at once
 *   GET    /api/invitations/:code                               public: what the link opens
 *   POST   /api/invitations/:code/accept                        public: a token for a new user
 *
 * The public routes answer a failed lookup late (like a failed
 * authentication), and the edge's per-IP limit of /api applies, so that codes
 * (144 random bits anyway) cannot be tried cheaply. The tokens are HS256,
 * signed with JWT_SECRET: a server that does not accept HS256 tokens
 * (JWT_ALGORITHMS) cannot issue invitations and says so (INVITATIONS_DISABLED).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintAccessToken } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { AUTH_FAILURE_DELAY_MS } from '../plugins/auth.js';
import { ErrorCode } from '../protocol/index.js';
import { InvitationCodeParam, InvitationIdParam, PathId } from './params.js';
import {
  INVITATION_MAX_LIFETIME_S,
  InvitationStore,
  type InvitationProblem,
  type InvitationRole,
} from '../store/invitations.js';

const Id = PathId;
const InvitationId = InvitationIdParam;
const Code = InvitationCodeParam;
const InvitationRoleSchema = Type.Union([Type.Literal('member'), Type.Literal('guest')]);
const ProjectParams = Type.Object({ projectId: Id });
const CodeParams = Type.Object({ code: Code });

/** What owners see of an invitation (the response schema also keeps the code's hash out). */
const InvitationReply = Type.Object({
  invitationId: Type.String(),
  projectId: Type.String(),
  role: InvitationRoleSchema,
  roomId: Type.Optional(Type.String()),
  label: Type.Optional(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.Number(),
  expiresAt: Type.Number(),
  maxUses: Type.Optional(Type.Integer()),
  uses: Type.Integer(),
  revokedAt: Type.Optional(Type.Number()),
});

const problemCodes: Record<InvitationProblem, ErrorCode> = {
  invalid: ErrorCode.INVITATION_INVALID,
  expired: ErrorCode.INVITATION_EXPIRED,
  usedUp: ErrorCode.INVITATION_USED_UP,
};

/** Control characters (C0, DEL, C1) and the line/paragraph separators have no place in a name. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

export interface InvitationRouteOptions {
  config: Config;
  /** The store's clock (tests); Date.now by default. */
  now?: () => number;
}

export async function invitationRoutes(app: FastifyInstance, { config, now = Date.now }: InvitationRouteOptions): Promise<void> {
  const store = new InvitationStore(app.redis, app.keys, now);
  const auth = { preHandler: app.authenticate };
  const enabled = config.jwt.algorithms.includes('HS256');

  function requireEnabled(): void {
    if (!enabled) throw new AppError(ErrorCode.INVITATIONS_DISABLED, 'this server does not accept HS256 tokens (JWT_ALGORITHMS)');
  }

  function requireOwner(request: Parameters<FastifyInstance['requireProject']>[0], projectId: string): string {
    const who = app.requireProject(request, projectId);
    if (who === 'admin') return 'admin';
    if (who.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'only an owner manages invitations');
    return who.userId;
  }

  async function refuse(problem: InvitationProblem): Promise<never> {
    await sleep(AUTH_FAILURE_DELAY_MS);
    throw new AppError(problemCodes[problem], `invitation ${problem}`);
  }

  app.post(
    '/api/projects/:projectId/invitations',
    {
      ...auth,
      schema: {
        params: ProjectParams,
        body: Type.Object(
          {
            role: InvitationRoleSchema,
            expiresInS: Type.Integer({ minimum: 60, maximum: INVITATION_MAX_LIFETIME_S }),
            maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            roomId: Type.Optional(Id),
            label: Type.Optional(Type.String({ maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ invitation: InvitationReply, code: Type.String(), url: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { projectId } = request.params as { projectId: string };
      const createdBy = requireOwner(request, projectId);
      requireEnabled();
      const body = request.body as { role: InvitationRole; expiresInS: number; maxUses?: number; roomId?: string; label?: string };
      const label = body.label?.trim();
      if (label !== undefined && CONTROL.test(label)) throw new AppError(ErrorCode.BAD_REQUEST, 'label has control characters');
      const { invitation, code } = await store.create({
        projectId,
        role: body.role,
        roomId: body.roomId,
        label: label === '' ? undefined : label,
        createdBy,
        expiresInS: body.expiresInS,
        maxUses: body.maxUses,
      });
      request.log.info({ projectId, invitationId: invitation.invitationId, role: invitation.role, roomId: invitation.roomId }, 'invitation created');
      return reply.code(201).send({ invitation, code, url: `${config.publicUrl}/i/${code}` });
    },
  );

  app.get(
    '/api/projects/:projectId/invitations',
    { ...auth, schema: { params: ProjectParams, response: { 200: Type.Object({ invitations: Type.Array(InvitationReply) }) } } },
    async (request) => {
      const { projectId } = request.params as { projectId: string };
      requireOwner(request, projectId);
      return { invitations: await store.list(projectId) };
    },
  );

  app.delete(
    '/api/projects/:projectId/invitations/:invitationId',
    { ...auth, schema: { params: Type.Object({ projectId: Id, invitationId: InvitationId }) } },
    async (request, reply) => {
      const { projectId, invitationId } = request.params as { projectId: string; invitationId: string };
      requireOwner(request, projectId);
      if (!(await store.revoke(projectId, invitationId))) throw new AppError(ErrorCode.NOT_FOUND, 'no such invitation');
      request.log.info({ projectId, invitationId }, 'invitation revoked');
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/invitations/:code',
    {
      schema: {
        params: CodeParams,
        response: {
          200: Type.Object({
            projectName: Type.String(),
            role: InvitationRoleSchema,
            roomId: Type.Optional(Type.String()),
            expiresAt: Type.Number(),
          }),
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params as { code: string };
      const found = await store.find(code);
      if (!found.ok) return refuse(found.problem);
      const { invitation } = found;
      const project = await app.projects.get(invitation.projectId);
      reply.header('Cache-Control', 'no-store');
      return {
        projectName: project?.name ?? invitation.projectId,
        role: invitation.role,
        ...(invitation.roomId !== undefined ? { roomId: invitation.roomId } : {}),
        expiresAt: invitation.expiresAt,
      };
    },
  );

  app.post(
    '/api/invitations/:code/accept',
    {
      schema: {
        params: CodeParams,
        body: Type.Object({ displayName: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            token: Type.String(),
            projectId: Type.String(),
            roomId: Type.Optional(Type.String()),
            expiresAt: Type.Number(),
          }),
        },
      },
    },
    async (request, reply) => {
      requireEnabled();
      const { code } = request.params as { code: string };
      // Checked before the use is counted: a bad name costs the link nothing.
      const displayName = (request.body as { displayName: string }).displayName.trim();
      if (displayName === '' || displayName.length > 64 || CONTROL.test(displayName)) {
        throw new AppError(ErrorCode.BAD_REQUEST, 'displayName must be 1 to 64 characters, without control characters');
      }
      const redeemed = await store.redeem(code);
      if (!redeemed.ok) return refuse(redeemed.problem);
      const { invitation } = redeemed;
      const userId = `inv-${randomBytes(9).toString('base64url')}`;
      // A session never outlives the link's own lifetime: a link meant for an
      // hour does not give twelve-hour sessions. (Not its remaining time: a
      // person opening it in its last minute still gets a usable session.)
      const ttlSeconds = Math.min(config.invitationSessionTtlS, Math.floor((invitation.expiresAt - invitation.createdAt) / 1000));
      const token = await mintAccessToken(
        {
          userId,
          displayName,
          projectId: invitation.projectId,
          role: invitation.role,
          ttlSeconds,
          ...(invitation.roomId !== undefined ? { roomId: invitation.roomId } : {}),
          issuer: config.jwt.issuer,
          audience: config.jwt.audience,
        },
        config.jwtSecret,
      );
      if (invitation.role === 'member') {
        await app.projects.setMember(invitation.projectId, { userId, displayName, role: 'member', addedAt: Date.now() });
      }
      request.log.info(
        { projectId: invitation.projectId, invitationId: invitation.invitationId, userId, role: invitation.role },
        'invitation accepted',
      );
      reply.header('Cache-Control', 'no-store');
      return {
        token,
        projectId: invitation.projectId,
        ...(invitation.roomId !== undefined ? { roomId: invitation.roomId } : {}),
        expiresAt: Math.floor(Date.now() / 1000 + ttlSeconds) * 1000,
      };
    },
  );
}
