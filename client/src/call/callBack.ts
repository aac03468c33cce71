import type { ChatMessage } from '@chantier/signaling/protocol';

/**
 * Whom "Rappeler" on a missed-call message rings: the caller, for those who
 * missed it; those who did not answer, for the caller. Nobody for the others
 * (the call was not theirs).
 */
export function callBackTargets(message: Pick<ChatMessage, 'kind' | 'call'>, selfUserId: string | null): string[] {
  const call = message.call;
  if (message.kind !== 'missed-call' || !call || !selfUserId) return [];
  if (call.caller.userId === selfUserId) return call.missed.map((p) => p.userId).filter((id) => id !== selfUserId);
  return call.missed.some((p) => p.userId === selfUserId) ? [call.caller.userId] : [];
}
