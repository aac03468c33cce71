import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RecordingActions, RecordingSignals } from '../../recording/RecordingController';

export interface RecordingContextValue {
  state: RecordingSignals;
  actions: RecordingActions;
}

export const RecordingContext = createContext<RecordingContextValue | null>(null);

/** Null outside a meeting page (the project page records nothing). */
export function useRecording(): RecordingContextValue | null {
  return useContext(RecordingContext);
}
