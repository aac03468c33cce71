import type { RoomActions } from '../room/RoomController';
import type { Route } from '../route';
import type { RoomState } from '../state/roomState';
import { RoomContext } from './context';
import { Home } from './Home';
import { JoinScreen } from './JoinScreen';
import { RoomView } from './RoomView';
import { StatusScreen } from './StatusScreen';

function Meeting({ state }: { state: RoomState }) {
  switch (state.phase.value) {
    case 'lobby':
    case 'joining':
      return <JoinScreen />;
    case 'joined':
      return <RoomView />;
    default:
      return <StatusScreen />;
  }
}

/**
 * Routes on the address (read once at start-up, see route.ts): a meeting link
 * shows the meeting, anything else the home page.
 */
export function App({ route, state, actions }: { route: Route; state: RoomState; actions: RoomActions }) {
  if (route.kind === 'home') return <Home />;
  return (
    <RoomContext.Provider value={{ state, actions }}>
      <Meeting state={state} />
    </RoomContext.Provider>
  );
}
