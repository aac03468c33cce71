import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PresentationActions, PresentationState } from '../../presentation/PresentationController';

export interface PresentationContextValue {
  state: PresentationState;
  actions: PresentationActions;
}

export const PresentationContext = createContext<PresentationContextValue | null>(null);

export function usePresentation(): PresentationContextValue {
  const value = useContext(PresentationContext);
  if (!value) throw new Error('usePresentation() outside its provider');
  return value;
}
