import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MinutesActions } from '../../minutes/MinutesController';
import type { MinutesSignals } from '../../minutes/minutesState';

export interface MinutesContextValue {
  state: MinutesSignals;
  actions: MinutesActions;
}

export const MinutesContext = createContext<MinutesContextValue | null>(null);

export function useMinutes(): MinutesContextValue {
  const value = useContext(MinutesContext);
  if (!value) throw new Error('useMinutes() outside its provider');
  return value;
}
