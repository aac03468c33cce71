/** Chat messages for unit tests. */
import type { ChatMessage } from '@chantier/signaling/protocol';

export function serverMessage(id: string, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id,
    clientMessageId: `cm-${id}-xxxxxxxx`,
    projectId: 'p1',
    kind: 'text',
    author: { userId: 'u-other', displayName: 'Bruno' },
    text: `message ${id}`,
    time: 1_700_000_000_000,
    ...overrides,
  };
}
