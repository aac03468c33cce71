/** A project's page: presence, chat, documents, invitations, planned meetings, calls. */
import type { ReadonlySignal } from '@preact/signals';
import { planMeetingPath } from '@chantier/signaling/protocol';
import type { ApiClient } from '../api/ApiClient';
import { PlanningApi } from '../api/PlanningApi';
import type { ProjectApi } from '../api/ProjectApi';
import { createDocumentsState, DocumentsController } from '../documents/DocumentsController';
import { createLogger } from '../log';
import { reloadWhenOutdated } from '../phone/outdatedShell';
import { PlanningController } from '../planning/PlanningController';
import { createPlanningState } from '../planning/planningState';
import { createInvitesState, InvitesController } from '../project/InvitesController';
import { ProjectController } from '../project/ProjectController';
import { createProjectState } from '../project/projectState';
import { DEFAULT_ROOM_ID, linkWithToken, type Route } from '../route';
import { signalingUrl } from '../signaling/socketUrl';
import type { AppModel } from '../ui/App';
import { watchMediaQuery } from '../util/watch';
import { createCalls, createChat, followTokenUpdates, isPhone } from './shared';

const log = createLogger('project');

/** The project page shows its sections side by side from this width. */
const WIDE_QUERY = '(min-width: 900px)';

/** Planned meetings on the project page (client/src/planning). */
function createPlanning(projectId: string, token: string, tokenStored: boolean, client: ApiClient, projectApi: ProjectApi) {
  const state = createPlanningState();
  const controller = new PlanningController({
    state,
    api: new PlanningApi(client, projectId),
    members: async () => (await projectApi.project()).members.map((m) => ({ userId: m.userId, displayName: m.displayName })),
    roomId: DEFAULT_ROOM_ID,
    save: (file, name) => {
      const url = URL.createObjectURL(file);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  });
  controller.load().catch((error: unknown) => log.error('planned meetings not loaded', error));
  const href = (o: { roomId: string; planId: string; occurrenceId: string }): string =>
    linkWithToken(planMeetingPath(projectId, o, o.occurrenceId), token, tokenStored);
  return { controller, context: { state, actions: controller, href } };
}

export function startProject(route: Extract<Route, { kind: 'project' }>, tokenStored: boolean, pageVisible: ReadonlySignal<boolean>): AppModel {
  const token = route.token ?? '';
  let documents: DocumentsController | null = null;
  const { client, api, files, chat, context } = createChat(route.projectId, token, pageVisible, (message) => {
    // A document shared by someone else appears in the list without a reload.
    if (message.attachment) documents?.noteShared(message.attachment);
    // A meeting that just ended shows in the past meetings.
    if (message.kind === 'meeting-ended') {
      controller.meetingEnded().catch((error: unknown) => log.error('meetings not refreshed', error));
    }
  });
  const state = createProjectState({
    projectId: route.projectId,
    token,
    tokenStored,
    wide: watchMediaQuery(window, WIDE_QUERY),
  });
  reloadWhenOutdated(state.error);
  documents = new DocumentsController({
    state: createDocumentsState(),
    api,
    share: async (document) => {
      // On a phone, show the chat where the shared document just appeared.
      controller.selectTab('chat');
      await chat.shareDocument(document);
    },
    onRemoved: (documentId) => files.forget(documentId),
  });
  const calls = createCalls(route.projectId, token, tokenStored, () => state.self.value?.userId ?? null);
  const planning = createPlanning(route.projectId, token, tokenStored, client, api);
  const controller = new ProjectController({
    state,
    token,
    url: signalingUrl(window.location),
    api,
    chat,
    documents,
    isPhone,
    socketUsers: [calls.controller, planning.controller],
  });

  followTokenUpdates(route.projectId, client, controller);
  if (route.token) {
    controller.start().catch((error: unknown) => log.error('project start failed', error));
    window.addEventListener('online', () => {
      controller.reconnect().catch((error: unknown) => log.error('reconnect failed', error));
    });
  } else {
    controller.fail('INVALID_LINK');
  }
  // No pagehide handler: the browser closes the socket with the page, and
  // the server then drops this connection from the presence list.
  const invites = createInvitesState();
  const invitesController = new InvitesController({
    state: invites,
    api,
    roomId: DEFAULT_ROOM_ID,
    linkOf: (code) => `${window.location.origin}/i/${encodeURIComponent(code)}`,
  });
  return {
    kind: 'project',
    project: {
      state,
      actions: controller,
      documents: { state: documents.state, actions: documents },
      invites: { state: invites, actions: invitesController },
      planning: planning.context,
    },
    chat: context,
    calls: calls.context,
  };
}
