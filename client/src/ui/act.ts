import { createLogger } from '../log';

const log = createLogger('ui');

/**
 * Runs an action from an event handler. Controller actions do not reject, but
 * a handler must never leave a promise floating: anything unexpected is logged.
 */
export function act(action: Promise<unknown>): void {
  action.catch((error: unknown) => log.error('action failed', error));
}
