import { createContext, type Context } from 'preact';
import { useContext } from 'preact/hooks';
import type { ReadonlySignal } from '@preact/signals';
import type { ChatActions } from '../chat/ChatController';
import type { ChatState } from '../chat/chatState';
import type { FileActions } from '../documents/DocumentFiles';
import type { DocumentsActions, DocumentsState } from '../documents/DocumentsController';
import type { AppErrorCode } from '../errors';
import type { InvitesActions, InvitesState } from '../project/InvitesController';
import type { PlanningActions } from '../planning/PlanningController';
import type { PlanningState } from '../planning/planningState';
import type { Occurrence } from '@chantier/signaling/protocol';
import type { ProjectActions } from '../project/ProjectController';
import type { ProjectState } from '../project/projectState';
import type { RoomActions } from '../room/RoomController';
import type { StageActions, StageState } from '../stage/stageState';
import type { RoomState } from '../state/roomState';

function useRequired<T>(context: Context<T | null>, name: string): T {
  const value = useContext(context);
  if (!value) throw new Error(`${name} outside its provider`);
  return value;
}

/** The room's signals and the actions that change them, given to every component. */
export interface RoomContextValue {
  state: RoomState;
  actions: RoomActions;
}

export const RoomContext = createContext<RoomContextValue | null>(null);

export function useRoom(): RoomContextValue {
  return useRequired(RoomContext, 'useRoom()');
}

/** The meeting's stage: what it can show, what it shows, and the viewer's choice. */
export interface StageContextValue {
  state: StageState;
  actions: StageActions;
}

export const StageContext = createContext<StageContextValue | null>(null);

export function useStage(): StageContextValue {
  return useRequired(StageContext, 'useStage()');
}

/** Documents' files as the UI sees them: thumbnails, the last failure, and how to open them. */
export interface FilesView {
  thumbnails: ReadonlySignal<ReadonlyMap<string, string | null>>;
  error: ReadonlySignal<AppErrorCode | null>;
  actions: FileActions;
}

/** The chat (project page or meeting panel) and the files its attachments open. */
export interface ChatContextValue {
  state: ChatState;
  actions: ChatActions;
  files: FilesView;
}

export const ChatContext = createContext<ChatContextValue | null>(null);

export function useChat(): ChatContextValue {
  return useRequired(ChatContext, 'useChat()');
}

/** The project page: its own state, its documents. */
export interface ProjectContextValue {
  state: ProjectState;
  actions: ProjectActions;
  documents: { state: DocumentsState; actions: DocumentsActions };
  /** The owners' invitation links (the panel shows for owners only). */
  invites?: { state: InvitesState; actions: InvitesActions };
  /** Planned meetings (ui/planning). */
  planning?: ProjectPlanning;
}

export interface ProjectPlanning {
  state: PlanningState;
  actions: PlanningActions;
  /** The link of an occurrence's meeting room (token included where the page needs it). */
  href: (occurrence: Pick<Occurrence, 'roomId' | 'planId' | 'occurrenceId'>) => string;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

export function useProject(): ProjectContextValue {
  return useRequired(ProjectContext, 'useProject()');
}
