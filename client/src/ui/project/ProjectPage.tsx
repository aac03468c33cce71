import type { ComponentChildren } from 'preact';
import { unreadLabel } from '../../chat/unread';
import { errorText, t } from '../../i18n';
import type { ProjectTab } from '../../project/projectState';
import { act } from '../act';
import { Chat } from '../chat/Chat';
import { useChat, useProject } from '../context';
import { LangSwitch } from '../LangSwitch';
import { DocumentsPanel } from './DocumentsPanel';
import { InvitesPanel } from './InvitesPanel';
import { JoinCard } from './JoinCard';
import { MeetingsPanel } from './MeetingsPanel';
import { OnlineList } from './OnlineList';
import { PlanningNotice } from '../planning/PlanningNotice';
import { PlanningPanel } from '../planning/PlanningPanel';

function ConnectionLine() {
  const { state, actions } = useProject();
  switch (state.phase.value) {
    case 'connecting':
      return (
        <p class="connection-line" role="status" data-testid="project-connection" data-state="connecting">
          {t('project.connecting')}
        </p>
      );
    case 'offline':
      return (
        <p class="connection-line connection-line--offline" role="status" data-testid="project-connection" data-state="offline">
          <span>{t('project.offline')}</span>
          <button type="button" class="button" onClick={() => act(actions.reconnect())}>
            {t('project.reconnect')}
          </button>
        </p>
      );
    default:
      return null;
  }
}

function Tab({ tab, children }: { tab: ProjectTab; children: ComponentChildren }) {
  const { state, actions } = useProject();
  const selected = state.tab.value === tab;
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${tab}`}
      class="tabs__tab"
      data-testid={`tab-${tab}`}
      aria-selected={selected}
      aria-controls={`panel-${tab}`}
      onClick={() => actions.selectTab(tab)}
    >
      {children}
    </button>
  );
}

/** Phones: one section at a time. Hidden on wide screens, where the sections stand side by side. */
function Tabs() {
  const { state } = useProject();
  const chat = useChat();
  const unread = chat.state.unread.value;
  return (
    <nav class="tabs" role="tablist" aria-label={t('project.tabs')}>
      <Tab tab="chat">
        {t('project.tab.chat')}
        {unread > 0 && (
          <span class="tabs__badge" aria-label={t('chat.unreadLabel', { n: unread })}>
            {unreadLabel(unread)}
          </span>
        )}
      </Tab>
      <Tab tab="documents">{t('project.tab.documents')}</Tab>
      <Tab tab="online">
        {t('project.tab.online')}
        <span class="tabs__count">{state.online.value.length}</span>
      </Tab>
    </nav>
  );
}

function Panel({ tab, children }: { tab: ProjectTab; children: ComponentChildren }) {
  const { state } = useProject();
  const active = state.tab.value === tab;
  return (
    <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} class={`project__panel project__panel--${tab} ${active ? 'is-active' : ''}`}>
      {children}
    </div>
  );
}

function ProjectError() {
  const { state } = useProject();
  const code = state.error.value ?? 'INTERNAL';
  return (
    <main class="screen" data-testid="project-page" data-phase="error">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="screen__body" data-testid="error" data-code={code}>
        <h1 class="screen__title">{t('project.error.title')}</h1>
        <p class="screen__text">{errorText(code)}</p>
      </div>
    </main>
  );
}

/**
 * The project page: chat, documents, who is online, and the way into the
 * meeting. All three sections stay mounted (a phone's tabs only hide them),
 * so switching tabs loses neither a draft nor a scroll position.
 */
export function ProjectPage() {
  const { state } = useProject();
  if (state.phase.value === 'error') return <ProjectError />;
  return (
    <main class="project" data-testid="project-page" data-phase={state.phase.value}>
      <header class="topbar project__header">
        <span class="brand">{t('app.name')}</span>
        <h1 class="project__name" data-testid="project-name">
          {state.name.value ?? state.projectId}
        </h1>
        <LangSwitch />
      </header>
      <ConnectionLine />
      <PlanningNotice />
      <JoinCard />
      <PlanningPanel />
      <Tabs />
      <div class="project__panels">
        <Panel tab="chat">
          <Chat />
        </Panel>
        <Panel tab="documents">
          <DocumentsPanel />
          <MeetingsPanel />
        </Panel>
        <Panel tab="online">
          <InvitesPanel />
          <OnlineList />
        </Panel>
      </div>
    </main>
  );
}
