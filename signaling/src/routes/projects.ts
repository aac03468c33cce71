/**
 * Project HTTP API. Every route takes `Authorization: Bearer <token>`: an
 * access token of that project, or the admin token. Schemas (TypeBox) are
 * checked by Fastify before a handler runs.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { PathId as Id, UserIdParam } from './params.js';
import { ChatMessage, ErrorCode, MeetingRecord, PresenceEntry, Role, StreamId } from '../protocol/index.js';
import type { Role as RoleType } from '../protocol/index.js';

const Name = Type.String({ minLength: 1, maxLength: 120 });
const ProjectParams = Type.Object({ projectId: Id });
const ErrorReply = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const Member = Type.Object({ userId: Type.String(), displayName: Type.String(), role: Role, addedAt: Type.Number() });
const ProjectReply = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: Type.Number(),
  members: Type.Array(Member),
});

export async function projectRoutes(app: FastifyInstance): Promise<void> {
  const auth = { preHandler: app.authenticate };

  /** Create a project: the admin token, or an owner token of the platform for that very project id. */
  app.post(
    '/api/projects',
    {
      ...auth,
      schema: {
        body: Type.Object(
          { id: Id, name: Name, owner: Type.Optional(Type.Object({ userId: Type.String({ minLength: 1, maxLength: 128 }), displayName: Type.String({ minLength: 1, maxLength: 64 }) })) },
          { additionalProperties: false },
        ),
        response: { 201: ProjectReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const body = request.body as { id: string; name: string; owner?: { userId: string; displayName: string } };
      const who = app.requireProject(request, body.id);
      if (who !== 'admin' && who.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'only an owner may create the project');
      const owner = who === 'admin' ? body.owner : { userId: who.userId, displayName: who.displayName };
      if (!owner) throw new AppError(ErrorCode.BAD_REQUEST, 'owner is required with the admin token');
      const created = await app.projects.create(
        { id: body.id, name: body.name, createdAt: Date.now(), createdBy: owner.userId },
        owner,
      );
      if (!created) {
        return reply.code(409).send({ error: { code: ErrorCode.BAD_REQUEST, message: 'a project with this id exists' } });
      }
      const project = (await app.projects.get(body.id))!;
      return reply.code(201).send({ ...project, members: await app.projects.members(body.id) });
    },
  );

  app.get(
    '/api/projects/:projectId',
    { ...auth, schema: { params: ProjectParams, response: { 200: ProjectReply } } },
    async (request) => {
      const { projectId } = request.params as { projectId: string };
      app.requireProject(request, projectId);
      const project = await app.projects.get(projectId);
      // A project known only through the platform's tokens: name it after its id.
      return {
        ...(project ?? { id: projectId, name: projectId, createdAt: 0, createdBy: '' }),
        members: await app.projects.members(projectId),
      };
    },
  );

  app.put(
    '/api/projects/:projectId/members/:userId',
    {
      ...auth,
      schema: {
        params: Type.Object({ projectId: Id, userId: UserIdParam }),
        body: Type.Object({ displayName: Type.String({ minLength: 1, maxLength: 64 }), role: Role }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { projectId, userId } = request.params as { projectId: string; userId: string };
      const who = app.requireProject(request, projectId);
      if (who !== 'admin' && who.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'only an owner manages members');
      const body = request.body as { displayName: string; role: RoleType };
      await app.projects.setMember(projectId, { userId, displayName: body.displayName, role: body.role, addedAt: Date.now() });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/projects/:projectId/chat',
    {
      ...auth,
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          /** The same rule as the socket's chatHistory (protocol/streamId.ts): never an id Redis refuses. */
          before: Type.Optional(StreamId),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Object({ messages: Type.Array(ChatMessage), hasMore: Type.Boolean(), unread: Type.Integer() }) },
      },
    },
    async (request) => {
      const { projectId } = request.params as { projectId: string };
      // The meeting's socket reads the same chat (chatHistory): a meeting-limited token may too.
      const who = app.requireProject(request, projectId, 'meeting');
      const { before, limit } = request.query as { before?: string; limit?: number };
      const page = await app.chat.history(projectId, before, limit ?? 50);
      const unread = who === 'admin' ? 0 : await app.chat.unread(projectId, who.userId);
      return { ...page, unread };
    },
  );

  app.get(
    '/api/projects/:projectId/presence',
    { ...auth, schema: { params: ProjectParams, response: { 200: Type.Object({ online: Type.Array(PresenceEntry) }) } } },
    async (request) => {
      const { projectId } = request.params as { projectId: string };
      app.requireProject(request, projectId);
      return { online: await app.presence.list(projectId) };
    },
  );

  app.get(
    '/api/projects/:projectId/meetings',
    { ...auth, schema: { params: ProjectParams, response: { 200: Type.Object({ meetings: Type.Array(MeetingRecord) }) } } },
    async (request) => {
      const { projectId } = request.params as { projectId: string };
      app.requireProject(request, projectId);
      // Joins answered here before this request are in the records it reads.
      await app.rooms.recordsWritten(projectId);
      const [records, minutes, recordings] = await Promise.all([
        app.meetings.records(projectId),
        app.minutesStore.published(projectId),
        app.recordingStore.summaries(projectId),
      ]);
      // Each meeting with its published compte rendu (latest version) and its recordings, if any.
      return {
        meetings: records.map((r) => ({
          ...r,
          ...(minutes.has(r.meetingId) ? { minutes: minutes.get(r.meetingId)! } : {}),
          ...(recordings.has(r.meetingId) ? { recordings: recordings.get(r.meetingId)! } : {}),
        })),
      };
    },
  );

  app.get(
    '/api/projects/:projectId/meetings/:roomId/current',
    { ...auth, schema: { params: Type.Object({ projectId: Id, roomId: Id }) } },
    async (request) => {
      const { projectId, roomId } = request.params as { projectId: string; roomId: string };
      app.requireProject(request, projectId, { roomId });
      await app.rooms.recordsWritten(projectId, roomId);
      return {
        meeting: (await app.meetings.current(projectId, roomId)) ?? null,
        participants: await app.meetingPresence.list(projectId, roomId),
      };
    },
  );
}
