/**
 * Start-up: language, route, state, controllers, render. Side effects that
 * the components must not do (reading and cleaning the address bar, opening
 * sockets, listening for pagehide, visibility and screen width) happen
 * here, once.
 */
import { render } from 'preact';
import { computed, effect, type ReadonlySignal } from '@preact/signals';
import { planMeetingPath, type CallInfo, type ChatMessage } from '@chantier/signaling/protocol';
import { ApiClient } from './api/ApiClient';
import { CallController, type CallRole } from './call/CallController';
import { createCallState } from './call/callState';
import { browserAudioEnvironment, WebAudioRinger } from './call/ringtone';
import { PlanningApi } from './api/PlanningApi';
import { ProjectApi } from './api/ProjectApi';
import { ChatController } from './chat/ChatController';
import { createChatState } from './chat/chatState';
import { browserFilesEnvironment, DocumentFiles } from './documents/DocumentFiles';
import { createDocumentsState, DocumentsController } from './documents/DocumentsController';
import { watchTokenUpdates } from './embed/tokenUpdates';
import { bindDocumentLanguage, initLang } from './i18n';
import { createLogger } from './log';
import { AudioOutput, browserOutputEnvironment } from './phone/audioOutput';
import { isLeavingPageHide } from './phone/background';
import { bindMeetingPhoneSupport } from './phone/bindMeeting';
import { reloadWhenOutdated } from './phone/outdatedShell';
import { afterConnecting, registerServiceWorker } from './phone/serviceWorker';
import { CaptureController, captureFileName } from './markup/CaptureController';
import { MarkupController } from './markup/MarkupController';
import { MinutesController } from './minutes/MinutesController';
import { createMinutesState } from './minutes/minutesState';
import { createRecordingState, RecordingController } from './recording/RecordingController';
import { PlanningController } from './planning/PlanningController';
import { createPlanningState } from './planning/planningState';
import { PresentationController } from './presentation/PresentationController';
import { InvitationController, createInvitationState } from './invite/InvitationController';
import { createInvitesState, InvitesController } from './project/InvitesController';
import { ProjectController } from './project/ProjectController';
import { createProjectState } from './project/projectState';
import { RoomController } from './room/RoomController';
import { loadMediaSession } from './room/mediaSessionLoader';
import { readScreenTuning } from './room/screenTuning';
import { callPath, DEFAULT_ROOM_ID, invitationTarget, linkWithToken, projectPath, readLink, tokenKey, type Route } from './route';
import { signalingUrl } from './signaling/socketUrl';
import { screenShareItems } from './stage/stageItems';
import { createStage } from './stage/stageState';
import { createRoomState } from './state/roomState';
import { App, preloadMeetingViews, type AppModel } from './ui/App';
import type { CallContextValue } from './ui/call/context';
import type { ChatContextValue } from './ui/context';
import { watchMediaQuery, watchPageVisibility } from './util/watch';
import './ui/styles.css';

const log = createLogger('main');

/** The project page shows its sections side by side from this width. */
const WIDE_QUERY = '(min-width: 900px)';

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked storage: the token then lives only in memory
  }
}

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked storage: no local overrides
  }
}

/** When the service worker may register: at load, but on a meeting link once its join screen is up (serviceWorker.ts). */
let workerAfter: Promise<void> = Promise.resolve();

const isPhone = (): boolean => window.matchMedia('(pointer: coarse)').matches;

/** The chat and the files its attachments open, for one project and token. */
function createChat(
  projectId: string,
  token: string,
  pageVisible: ReadonlySignal<boolean>,
  onLiveMessage?: (message: ChatMessage) => void,
) {
  const client = new ApiClient({ token });
  const api = new ProjectApi(client, projectId);
  const files = new DocumentFiles(api, browserFilesEnvironment(window));
  const chat = new ChatController({ state: createChatState(pageVisible), ...(onLiveMessage ? { onLiveMessage } : {}) });
  const context: ChatContextValue = {
    state: chat.state,
    actions: chat,
    files: { thumbnails: files.thumbnails, error: files.error, actions: files },
  };
  return { client, api, files, chat, context };
}

/**
 * A fresh token handed to the open page (the embedding platform, by
 * postMessage or in the fragment): kept for a reload, used by the HTTP calls,
 * and given to the page's controller (its socket, resumes, reconnects).
 */
function followTokenUpdates(projectId: string, client: ApiClient, controller: { refreshToken(token: string): Promise<void> }): void {
  watchTokenUpdates(window, (token) => {
    try {
      sessionStore()?.setItem(tokenKey(projectId), token);
    } catch {
      // No storage: a reload needs the link again, as before.
    }
    client.setToken(token);
    controller.refreshToken(token).catch((error: unknown) => log.warn('token not refreshed', error));
  });
}

/** The caller's page hands its call to the call room's page (sessionStorage: this tab only). */
const outgoingCallKey = (roomId: string): string => `chantier.call:${roomId}`;

/**
 * Calls for one page. Accepting a call, or placing one, goes to the call's
 * room: audio-only, without the lobby. `cancelled`: the caller hung up or
 * nobody answered.
 */
function createCalls(
  projectId: string,
  token: string,
  tokenStored: boolean,
  selfUserId: () => string | null,
  cancelled?: () => void,
) {
  const state = createCallState();
  const ringer = new WebAudioRinger(browserAudioEnvironment(window), (ringtone) => {
    state.ringtone.value = ringtone;
  });
  // Browsers let a page make sound only after it was touched: get ready on the first touch.
  for (const type of ['pointerdown', 'keydown'] as const) {
    window.addEventListener(type, () => ringer.unlock(), { once: true, capture: true });
  }
  const controller = new CallController({
    state,
    ringer,
    join: (call, role: CallRole) => {
      if (role === 'caller') {
        try {
          sessionStore()?.setItem(outgoingCallKey(call.roomId), JSON.stringify(call));
        } catch {
          // No storage: the call room shows no "calling…" screen, the call still rings.
        }
      }
      // A planned meeting's ring leads to its room (video, its lobby); a call to the call's audio room.
      const path = call.plan ? planMeetingPath(projectId, { roomId: call.roomId, planId: call.plan.planId }, call.plan.occurrenceId) : callPath(projectId, call.roomId);
      window.location.assign(linkWithToken(path, token, tokenStored));
    },
    ...(cancelled ? { cancelled } : {}),
  });
  window.__chantierCalls = controller;
  const context: CallContextValue = { state, actions: controller, selfUserId };
  return { controller, context };
}

function startMeeting(route: Extract<Route, { kind: 'meeting' }>, tokenStored: boolean, pageVisible: ReadonlySignal<boolean>): AppModel {
  const { client, api, chat, context } = createChat(route.projectId, route.token ?? '', pageVisible);
  const presentation = new PresentationController(api);
  const minutes = new MinutesController(createMinutesState(), planOfLink(window.location.search));
  const recording = new RecordingController(createRecordingState());
  const state = createRoomState();
  reloadWhenOutdated(state.error);
  workerAfter = afterConnecting(state.phase);
  const markup = new MarkupController({
    presentation: presentation.state.presentation,
    isPresenter: presentation.state.isPresenter,
    self: state.self,
  });
  const capture = new CaptureController({
    upload: (file) => api.upload(file, () => {}),
    present: (documentId) => presentation.start(documentId),
    fileName: (who, time) => captureFileName(who, time),
  });
  const projectHref = linkWithToken(projectPath(route.projectId), route.token ?? '', tokenStored || !route.token);
  const calls = createCalls(
    route.projectId,
    route.token ?? '',
    tokenStored || !route.token,
    () => state.self.value?.userId ?? null,
    // The caller hung up, or nobody answered: leave the call's room.
    () => {
      void controller.leave().finally(() => window.location.assign(projectHref));
    },
  );
  if (route.audioOnly) {
    // A call: audio first (anyone may turn the camera on), no video received.
    state.audioOnly.value = true;
    state.cameraEnabled.value = false;
  }
  try {
    const stashed = sessionStore()?.getItem(outgoingCallKey(route.roomId));
    if (stashed) {
      sessionStore()?.removeItem(outgoingCallKey(route.roomId));
      calls.controller.resumeOutgoing(JSON.parse(stashed) as CallInfo);
    }
  } catch (error) {
    log.warn('outgoing call not restored', error);
  }
  const controller = new RoomController({
    state,
    url: signalingUrl(window.location),
    // Absent on insecure origins: the lobby then reports NO_DEVICE and joining still works.
    mediaDevices: navigator.mediaDevices ?? null,
    isPhone,
    socketUsers: [chat, presentation, markup, minutes, recording, calls.controller],
    screenTuning: readScreenTuning(localStore()),
  });
  window.__chantier = controller;
  window.__chantierMarkup = markup;
  // What the stage can show besides the grid of participants.
  const stage = createStage(
    computed(() => {
      const presented = presentation.state.presentation.value;
      return [
        ...screenShareItems(state.participants.value),
        ...(presented
          ? [{ kind: 'presentation' as const, presentationId: presented.presentationId, presenterName: presented.presenterName }]
          : []),
      ];
    }),
  );

  // The join screen works without the media code and the room's view: both load once it shows.
  const preload = effect(() => {
    if (state.phase.value !== 'lobby') return;
    loadMediaSession().catch((error: unknown) => log.warn('media code not preloaded', error));
    preloadMeetingViews();
    queueMicrotask(() => preload());
  });

  followTokenUpdates(route.projectId, client, controller);
  if (route.token) {
    controller
      .connect(route.projectId, route.roomId, route.token)
      // A call's link: the user already said yes, no lobby.
      .then(() => (route.autoJoin && state.phase.value === 'lobby' ? controller.join() : undefined))
      .catch((error: unknown) => log.error('connect failed', error));
  } else {
    controller.fail('INVALID_LINK');
  }
  // Hidden is not leaving (a phone in a pocket stays in the meeting); a page
  // kept in the back/forward cache is not leaving either.
  window.addEventListener('pagehide', (event) => {
    if (!isLeavingPageHide(event)) return;
    calls.controller.hangUpOnPageHide(route.roomId);
    controller.leaveOnPageHide();
  });
  const audioOutput = new AudioOutput(browserOutputEnvironment(window));
  bindMeetingPhoneSupport({ state, actions: controller, visible: pageVisible, isPhone, audioOutput, wakeLock: navigator.wakeLock });
  return {
    kind: 'meeting',
    room: { state, actions: controller },
    stage,
    chat: context,
    presentation: { state: presentation.state, actions: presentation },
    markup: { state: markup.state, actions: markup, capture: { state: capture.state, actions: capture } },
    minutes: { state: minutes.state, actions: minutes },
    recording: { state: recording.state, actions: recording },
    audioOutput,
    projectHref,
    calls: calls.context,
  };
}

/** The planned meeting a "Démarrer" / "Rejoindre" link opened (?plan=&occurrence=): the minutes are filed under it. */
function planOfLink(search: string): { planId: string; occurrenceId: string } | undefined {
  const query = new URLSearchParams(search);
  const planId = query.get('plan');
  const occurrenceId = query.get('occurrence');
  return planId && occurrenceId && /^[A-Za-z0-9_-]{1,64}$/.test(planId) && /^\d{4}-\d{2}-\d{2}$/.test(occurrenceId) ? { planId, occurrenceId } : undefined;
}

/** The name typed on an invitation page, offered again on the next one (this browser). */
const DISPLAY_NAME_KEY = 'chantier.displayName';

function startInvitation(route: Extract<Route, { kind: 'invitation' }>): AppModel {
  let remembered = '';
  try {
    remembered = localStore()?.getItem(DISPLAY_NAME_KEY) ?? '';
  } catch {
    // No storage: an empty field.
  }
  const state = createInvitationState(remembered);
  const controller = new InvitationController({
    state,
    // No token: the code is the credential.
    api: new ApiClient({ token: '' }),
    code: route.code,
    onAccepted: (answer, displayName) => {
      try {
        localStore()?.setItem(DISPLAY_NAME_KEY, displayName);
      } catch {
        // Not remembered: nothing worse.
      }
      // replace(): the link's code leaves this tab's history.
      window.location.replace(invitationTarget(answer, sessionStore()));
    },
  });
  controller.load().catch((error: unknown) => log.error('invitation not loaded', error));
  return { kind: 'invitation', state, actions: controller };
}

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

function startProject(route: Extract<Route, { kind: 'project' }>, tokenStored: boolean, pageVisible: ReadonlySignal<boolean>): AppModel {
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

initLang(window.location.search);
bindDocumentLanguage(document);

const { route, tokenStored } = readLink(window.location, window.history, sessionStore());
const pageVisible = watchPageVisibility(document);
const model: AppModel =
  route.kind === 'meeting'
    ? startMeeting(route, tokenStored, pageVisible)
    : route.kind === 'project'
      ? startProject(route, tokenStored, pageVisible)
      : route.kind === 'invitation'
        ? startInvitation(route)
        : { kind: 'home' };

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app');
render(<App model={model} />, root);
// The app shell works offline and installs as an app; in development Vite serves modules, no worker.
if (import.meta.env.PROD) registerServiceWorker(window, workerAfter);
