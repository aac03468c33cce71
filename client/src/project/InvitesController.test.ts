import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/ApiClient';
import type { ProjectInvitation } from '../api/ProjectApi';
import { createInvitesState, invitationRequest, InvitesController, isLive } from './InvitesController';

const NOW = 1_800_000_000_000;
const inv = (over: Partial<ProjectInvitation> = {}): ProjectInvitation => ({
  invitationId: 'i1',
  projectId: 'p1',
  role: 'guest',
  createdBy: 'o',
  createdAt: NOW - 1000,
  expiresAt: NOW + 3600_000,
  uses: 0,
  ...over,
});

describe('invitationRequest', () => {
  it('turns the form into the API’s request', () => {
    expect(invitationRequest({ role: 'guest', expiry: '1h', maxUses: '', forMeeting: true }, 'reunion')).toEqual({
      role: 'guest',
      expiresInS: 3600,
      roomId: 'reunion',
    });
    expect(invitationRequest({ role: 'member', expiry: '30d', maxUses: ' 3 ', forMeeting: false }, 'reunion')).toEqual({
      role: 'member',
      expiresInS: 30 * 86_400,
      maxUses: 3,
    });
  });

  it('refuses a use count outside 1..1000', () => {
    for (const maxUses of ['0', '1001', '2.5', 'abc', '-1']) {
      expect(invitationRequest({ role: 'guest', expiry: '1d', maxUses, forMeeting: false }, 'r'), maxUses).toBeUndefined();
    }
  });
});

describe('isLive', () => {
  it('is false once revoked, expired or used up', () => {
    expect(isLive(inv(), NOW)).toBe(true);
    expect(isLive(inv({ revokedAt: NOW - 1 }), NOW)).toBe(false);
    expect(isLive(inv({ expiresAt: NOW }), NOW)).toBe(false);
    expect(isLive(inv({ maxUses: 2, uses: 2 }), NOW)).toBe(false);
    expect(isLive(inv({ maxUses: 2, uses: 1 }), NOW)).toBe(true);
  });
});

describe('InvitesController', () => {
  function setup() {
    const state = createInvitesState(() => NOW);
    const api = {
      invitations: vi.fn(async () => [inv({ invitationId: 'old' })]),
      createInvitation: vi.fn(async () => ({ invitation: inv({ invitationId: 'new' }), code: 'CODE', url: 'http://x/i/CODE' })),
      revokeInvitation: vi.fn(async () => undefined),
    };
    const controller = new InvitesController({ state, api, roomId: 'reunion', linkOf: (code) => `https://site/i/${code}` });
    return { state, api, controller };
  }

  it('lists, creates (showing the link once) and revokes', async () => {
    const { state, api, controller } = setup();
    await controller.load();
    expect(state.live.value.map((i) => i.invitationId)).toEqual(['old']);
    controller.setForm({ role: 'member', expiry: '7d', maxUses: '5' });
    await controller.create();
    expect(api.createInvitation).toHaveBeenCalledWith({ role: 'member', expiresInS: 7 * 86_400, maxUses: 5, roomId: 'reunion' });
    expect(state.created.value).toEqual({ invitationId: 'new', link: 'https://site/i/CODE' });
    expect(state.live.value.map((i) => i.invitationId)).toEqual(['new', 'old']);
    await controller.revoke('new');
    expect(api.revokeInvitation).toHaveBeenCalledWith('new');
    expect(state.created.value).toBeNull();
    expect(state.live.value.map((i) => i.invitationId)).toEqual(['old']);
  });

  it('shows a refusal and sends nothing for a bad use count', async () => {
    const { state, api, controller } = setup();
    controller.setForm({ maxUses: '0' });
    await controller.create();
    expect(api.createInvitation).not.toHaveBeenCalled();
    expect(state.error.value).toBe('BAD_REQUEST');
    api.invitations.mockRejectedValueOnce(new ApiError('FORBIDDEN', 'HTTP 403', 403));
    await controller.load();
    expect([state.error.value, state.busy.value]).toEqual(['FORBIDDEN', false]);
  });
});
