import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CallActions } from '../../call/CallController';
import type { CallState } from '../../call/callState';

/** Calls: on the project page and in meetings. */
export interface CallContextValue {
  state: CallState;
  actions: CallActions;
  /** This user's id, once the page's socket said hello. */
  selfUserId: () => string | null;
}

export const CallContext = createContext<CallContextValue | null>(null);

/** Null where calls are not offered: components then show no call button. */
export function useCalls(): CallContextValue | null {
  return useContext(CallContext);
}
