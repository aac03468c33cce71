import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/ApiClient';
import { createInvitationState, InvitationController, type AcceptedInvitation } from './InvitationController';

const INFO = { projectName: 'Tour B', role: 'guest' as const, roomId: 'reunion', expiresAt: 1_900_000_000_000 };

function setup(api: { getJson?: () => Promise<unknown>; postJson?: (path: string, body: unknown) => Promise<unknown> }) {
  const state = createInvitationState('');
  const accepted: Array<[AcceptedInvitation, string]> = [];
  const getJson = vi.fn(api.getJson ?? (async () => INFO));
  const postJson = vi.fn(api.postJson ?? (async () => ({ token: 't', projectId: 'p1', roomId: 'reunion', expiresAt: 1 })));
  const controller = new InvitationController({
    state,
    api: { getJson: getJson as never, postJson: postJson as never },
    code: 'code_1',
    onAccepted: (answer, name) => accepted.push([answer, name]),
  });
  return { state, controller, accepted, getJson, postJson };
}

describe('InvitationController', () => {
  it('shows what the link opens, then trades the code and a clean name for a token', async () => {
    const { state, controller, accepted, getJson, postJson } = setup({});
    await controller.load();
    expect(getJson).toHaveBeenCalledWith('/api/invitations/code_1');
    expect(state.phase.value).toBe('ready');
    expect(state.info.value).toEqual(INFO);
    controller.setDisplayName('  Amélie   Roux ');
    await controller.accept();
    expect(postJson).toHaveBeenCalledWith('/api/invitations/code_1/accept', { displayName: 'Amélie Roux' });
    expect(accepted).toEqual([[{ token: 't', projectId: 'p1', roomId: 'reunion', expiresAt: 1 }, 'Amélie Roux']]);
  });

  it('sends nothing without a name', async () => {
    const { controller, postJson, state } = setup({});
    await controller.load();
    controller.setDisplayName('   ');
    await controller.accept();
    expect(postJson).not.toHaveBeenCalled();
    expect(state.phase.value).toBe('ready');
  });

  it('shows the server’s code for a dead link', async () => {
    const { state, controller } = setup({ getJson: async () => Promise.reject(new ApiError('INVITATION_EXPIRED', 'HTTP 410', 410)) });
    await controller.load();
    expect([state.phase.value, state.error.value]).toEqual(['error', 'INVITATION_EXPIRED']);
  });

  it('ends on the refusal when the link was used up meanwhile, keeps the form on a network failure', async () => {
    const usedUp = setup({ postJson: async () => Promise.reject(new ApiError('INVITATION_USED_UP', 'HTTP 410', 410)) });
    await usedUp.controller.load();
    usedUp.controller.setDisplayName('Paul');
    await usedUp.controller.accept();
    expect([usedUp.state.phase.value, usedUp.state.error.value]).toEqual(['error', 'INVITATION_USED_UP']);
    expect(usedUp.accepted).toEqual([]);

    const offline = setup({ postJson: async () => Promise.reject(new ApiError('CONNECTION_LOST', 'no answer', 0)) });
    await offline.controller.load();
    offline.controller.setDisplayName('Paul');
    await offline.controller.accept();
    expect([offline.state.phase.value, offline.state.error.value]).toEqual(['ready', 'CONNECTION_LOST']);
  });
});
