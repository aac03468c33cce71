/**
 * Who may moderate a meeting (mute, stop someone's camera or screen, remove,
 * lock, end for all). One function on purpose: a later "moderator" role (or
 * per-meeting moderators) changes this line and nothing else.
 *
 * Today: the project's owners. Part of the protocol module so that the client
 * (which shows moderation controls) and the server (which enforces them) share it.
 */
import type { Role } from './messages.js';

export function canModerate(peer: { readonly role: Role }): boolean {
  return peer.role === 'owner';
}
