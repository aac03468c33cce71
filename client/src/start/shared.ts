/**
 * What every page's start shares: the browser's storages, the chat with the
 * files it opens, token updates from the embedding platform, and calls.
 */
import type { ReadonlySignal } from '@preact/signals';
import { planMeetingPath, type ChatMessage } from '@chantier/signaling/protocol';
import { ApiClient } from '../api/ApiClient';
import { ProjectApi } from '../api/ProjectApi';
import { CallController, type CallRole } from '../call/CallController';
import { createCallState } from '../call/callState';
import { browserAudioEnvironment, WebAudioRinger } from '../call/ringtone';
import { ChatController } from '../chat/ChatController';
import { createChatState } from '../chat/chatState';
import { browserFilesEnvironment, DocumentFiles } from '../documents/DocumentFiles';
import { watchTokenUpdates } from '../embed/tokenUpdates';
import { createLogger } from '../log';
import { callPath, linkWithToken, tokenKey } from '../route';
import type { CallContextValue } from '../ui/call/context';
import type { ChatContextValue } from '../ui/context';

const log = createLogger('start');

export function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked storage: the token then lives only in memory
  }
}

export function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked storage: no local overrides
  }
}

export const isPhone = (): boolean => window.matchMedia('(pointer: coarse)').matches;

/** The chat and the files its attachments open, for one project and token. */
export function createChat(
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
export function followTokenUpdates(projectId: string, client: ApiClient, controller: { refreshToken(token: string): Promise<void> }): void {
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
export const outgoingCallKey = (roomId: string): string => `chantier.call:${roomId}`;

/**
 * Calls for one page. Accepting a call, or placing one, goes to the call's
 * room: audio-only, without the lobby. `cancelled`: the caller hung up or
 * nobody answered.
 */
export function createCalls(
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
