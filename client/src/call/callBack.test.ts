import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@chantier/signaling/protocol';
import { lang } from '../i18n';
import { systemText } from '../ui/format';
import { callBackTargets } from './callBack';

const lea = { userId: 'lea', displayName: 'Léa' };
const bruno = { userId: 'bruno', displayName: 'Bruno' };
const zoe = { userId: 'zoe', displayName: 'Zoé' };

function missed(who: Array<{ userId: string; displayName: string }>): Pick<ChatMessage, 'kind' | 'author' | 'text' | 'call'> {
  return { kind: 'missed-call', author: lea, text: '', call: { callId: 'c1', roomId: 'appel-c1', caller: lea, missed: who } };
}

describe('missed-call messages', () => {
  afterEach(() => {
    lang.value = 'fr';
  });

  it('read "Appel manqué de X", naming who did not answer when several did not', () => {
    expect(systemText(missed([bruno]))).toBe('Appel manqué de Léa');
    expect(systemText(missed([bruno, zoe]))).toBe('Appel manqué de Léa · sans réponse : Bruno, Zoé');
    lang.value = 'en';
    expect(systemText(missed([bruno]))).toBe('Missed call from Léa');
    expect(systemText(missed([bruno, zoe]))).toBe('Missed call from Léa · no answer: Bruno, Zoé');
  });

  it('call back the caller, or, for the caller, those who did not answer', () => {
    expect(callBackTargets(missed([bruno, zoe]), 'bruno')).toEqual(['lea']);
    expect(callBackTargets(missed([bruno, zoe]), 'lea')).toEqual(['bruno', 'zoe']);
    // Not theirs: no button.
    expect(callBackTargets(missed([bruno]), 'zoe')).toEqual([]);
    expect(callBackTargets(missed([bruno]), null)).toEqual([]);
    expect(callBackTargets({ kind: 'text' }, 'bruno')).toEqual([]);
  });
});
