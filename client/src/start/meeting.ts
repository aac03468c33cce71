/**
 * A meeting's page: the room, its stage, and what the meeting carries
 * (chat, presentation, markup, minutes, recording, calls).
 */
import { computed, effect, type ReadonlySignal } from '@preact/signals';
import type { CallInfo } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { AudioOutput, browserOutputEnvironment } from '../phone/audioOutput';
import { isLeavingPageHide } from '../phone/background';
import { bindMeetingPhoneSupport } from '../phone/bindMeeting';
import { reloadWhenOutdated } from '../phone/outdatedShell';
import { afterConnecting } from '../phone/serviceWorker';
import { CaptureController, captureFileName } from '../markup/CaptureController';
import { MarkupController } from '../markup/MarkupController';
import { MinutesController } from '../minutes/MinutesController';
import { createMinutesState } from '../minutes/minutesState';
import { createRecordingState, RecordingController } from '../recording/RecordingController';
import { PresentationController } from '../presentation/PresentationController';
import { RoomController } from '../room/RoomController';
import { loadMediaSession } from '../room/mediaSessionLoader';
import { readScreenTuning } from '../room/screenTuning';
import { linkWithToken, projectPath, type Route } from '../route';
import { signalingUrl } from '../signaling/socketUrl';
import { screenShareItems } from '../stage/stageItems';
import { createStage } from '../stage/stageState';
import { createRoomState } from '../state/roomState';
import { preloadMeetingViews, type AppModel } from '../ui/App';
import { createCalls, createChat, followTokenUpdates, isPhone, localStore, outgoingCallKey, sessionStore } from './shared';

const log = createLogger('meeting');

/** The page's model, and when the service worker may register: once the join screen is up (serviceWorker.ts). */
export interface MeetingStart {
  model: AppModel;
  workerAfter: Promise<void>;
}

export function startMeeting(route: Extract<Route, { kind: 'meeting' }>, tokenStored: boolean, pageVisible: ReadonlySignal<boolean>): MeetingStart {
  const { client, api, chat, context } = createChat(route.projectId, route.token ?? '', pageVisible);
  const presentation = new PresentationController(api);
  const minutes = new MinutesController(createMinutesState(), planOfLink(window.location.search));
  const recording = new RecordingController(createRecordingState());
  const state = createRoomState();
  reloadWhenOutdated(state.error);
  const workerAfter = afterConnecting(state.phase);
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
  const model: AppModel = {
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
  return { model, workerAfter };
}

/** The planned meeting a "Démarrer" / "Rejoindre" link opened (?plan=&occurrence=): the minutes are filed under it. */
function planOfLink(search: string): { planId: string; occurrenceId: string } | undefined {
  const query = new URLSearchParams(search);
  const planId = query.get('plan');
  const occurrenceId = query.get('occurrence');
  return planId && occurrenceId && /^[A-Za-z0-9_-]{1,64}$/.test(planId) && /^\d{4}-\d{2}-\d{2}$/.test(occurrenceId) ? { planId, occurrenceId } : undefined;
}
