/**
 * Who may moderate a meeting (mute, stop someone's camera or screen, remove,
 * lock, end for all). One function on purpose: a later "moderator" role (or
 * per-meeting moderators) changes this line and nothing else.
 *
 * Today: the project's owners.
 */
import type { Role } from '../protocol/index.js';

export function canModerate(peer: { readonly role: Role }): boolean {
  return peer.role === 'owner';
}
