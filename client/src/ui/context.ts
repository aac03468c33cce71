import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RoomActions } from '../room/RoomController';
import type { RoomState } from '../state/roomState';

/** The room's signals and the actions that change them, given to every component. */
export interface RoomContextValue {
  state: RoomState;
  actions: RoomActions;
}

export const RoomContext = createContext<RoomContextValue | null>(null);

export function useRoom(): RoomContextValue {
  const value = useContext(RoomContext);
  if (!value) throw new Error('useRoom() outside <RoomContext.Provider>');
  return value;
}
