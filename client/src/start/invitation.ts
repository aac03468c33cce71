/** An invitation's page: the code is the credential; accepted, it leads to the project or the meeting. */
import { ApiClient } from '../api/ApiClient';
import { InvitationController, createInvitationState } from '../invite/InvitationController';
import { createLogger } from '../log';
import { invitationTarget, type Route } from '../route';
import type { AppModel } from '../ui/App';
import { localStore, sessionStore } from './shared';

const log = createLogger('invitation');

/** The name typed on an invitation page, offered again on the next one (this browser). */
const DISPLAY_NAME_KEY = 'chantier.displayName';

export function startInvitation(route: Extract<Route, { kind: 'invitation' }>): AppModel {
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
