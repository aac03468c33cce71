import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CaptureActions, CaptureState } from '../../markup/CaptureController';
import type { MarkupActions } from '../../markup/MarkupController';
import type { MarkupState } from '../../markup/markupState';

export interface MarkupContextValue {
  state: MarkupState;
  actions: MarkupActions;
  /** "Capturer pour annoter" on a screen share. */
  capture?: { state: CaptureState; actions: CaptureActions };
}

export const MarkupContext = createContext<MarkupContextValue | null>(null);

/** The markup of the presented document, or null where there is none (no provider). */
export function useMarkup(): MarkupContextValue | null {
  return useContext(MarkupContext);
}
