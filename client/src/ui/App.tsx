import type { AudioOutput } from '../phone/audioOutput';
import type { RoomState } from '../state/roomState';
import { AudioOutputContext } from './AudioOutputPicker';
import { CallOverlay } from './call/CallOverlay';
import { CallContext, type CallContextValue } from './call/context';
import {
  ChatContext,
  ProjectContext,
  RoomContext,
  StageContext,
  type ChatContextValue,
  type ProjectContextValue,
  type RoomContextValue,
  type StageContextValue,
} from './context';
import { Home } from './Home';
import type { InvitationActions, InvitationState } from '../invite/InvitationController';
import { JoinScreen } from './JoinScreen';
import { lazyView } from './lazyView';
import { MarkupContext, type MarkupContextValue } from './markup/context';
import { MinutesContext, type MinutesContextValue } from './minutes/context';
import { PresentationContext, type PresentationContextValue } from './presentation/context';
import { RecordingContext, type RecordingContextValue } from './recording/context';
import { StatusScreen } from './StatusScreen';
import { WaitingScreen } from './WaitingScreen';

/**
 * Views loaded apart from the first page (chunks of their own): a meeting
 * link's first load carries the join screen only; the room's view loads
 * while the lobby shows (preloadMeetingViews), the project and invitation
 * pages when their route is opened.
 */
const RoomView = lazyView(
  'room view',
  async () => (await import('./RoomView')).RoomView,
  () => <main class="status" aria-busy="true" />,
);
const ProjectPage = lazyView('project page', async () => (await import('./project/ProjectPage')).ProjectPage);
const InvitationPage = lazyView('invitation page', async () => (await import('./invite/InvitationPage')).InvitationPage);

/** What the room needs once joined, fetched while the lobby shows. */
export function preloadMeetingViews(): void {
  RoomView.preload().catch(() => undefined);
}

/** What main.tsx built for the address it was opened at. */
export type AppModel =
  | { kind: 'home' }
  | { kind: 'invitation'; state: InvitationState; actions: InvitationActions }
  | {
      kind: 'meeting';
      room: RoomContextValue;
      stage: StageContextValue;
      chat: ChatContextValue;
      presentation: PresentationContextValue;
      markup: MarkupContextValue;
      /** The compte rendu written in the meeting. */
      minutes: MinutesContextValue;
      /** The meeting's recording (issue 22). */
      recording: RecordingContextValue;
      /** Where remote sound plays (speaker, earpiece, headset), where the browser lets the page choose. */
      audioOutput: AudioOutput;
      projectHref: string;
      calls?: CallContextValue;
    }
  | { kind: 'project'; project: ProjectContextValue; chat: ChatContextValue; calls?: CallContextValue };

function Meeting({ state, projectHref }: { state: RoomState; projectHref: string }) {
  switch (state.phase.value) {
    case 'lobby':
    case 'joining':
      return <JoinScreen />;
    case 'waiting':
      return <WaitingScreen />;
    case 'joined':
      return <RoomView />;
    default:
      return <StatusScreen projectHref={projectHref} />;
  }
}

/**
 * Routes on the address (read once at start-up, see route.ts): a meeting
 * link shows the meeting, a project link the project page, anything else
 * the home page. Calls ring over the project page and meetings alike.
 */
export function App({ model }: { model: AppModel }) {
  if (model.kind === 'home' || model.kind === 'invitation' || !model.calls) return <Page model={model} />;
  return (
    <CallContext.Provider value={model.calls}>
      <Page model={model} />
      <CallOverlay />
    </CallContext.Provider>
  );
}

function Page({ model }: { model: AppModel }) {
  switch (model.kind) {
    case 'home':
      return <Home />;
    case 'invitation':
      return <InvitationPage state={model.state} actions={model.actions} />;
    case 'meeting':
      return (
        <RoomContext.Provider value={model.room}>
          <StageContext.Provider value={model.stage}>
            <ChatContext.Provider value={model.chat}>
              <PresentationContext.Provider value={model.presentation}>
                <MarkupContext.Provider value={model.markup}>
                  <MinutesContext.Provider value={model.minutes}>
                    <RecordingContext.Provider value={model.recording}>
                      <AudioOutputContext.Provider value={model.audioOutput}>
                        <Meeting state={model.room.state} projectHref={model.projectHref} />
                      </AudioOutputContext.Provider>
                    </RecordingContext.Provider>
                  </MinutesContext.Provider>
                </MarkupContext.Provider>
              </PresentationContext.Provider>
            </ChatContext.Provider>
          </StageContext.Provider>
        </RoomContext.Provider>
      );
    case 'project':
      return (
        <ProjectContext.Provider value={model.project}>
          <ChatContext.Provider value={model.chat}>
            <ProjectPage />
          </ChatContext.Provider>
        </ProjectContext.Provider>
      );
  }
}
