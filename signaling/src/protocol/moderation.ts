/**
 * Who may moderate a meeting (mute, stop someone's camera or screen, remove,
 * lock, end for all, admit guests). One function on purpose: per-meeting
 * moderators, if they come, change this line and nothing else.
 *
 * The project's owners and moderators. Part of the protocol module so that the client
 * (which shows moderation controls) and the server (which enforces them) share it.
 */
import type { Role } from './presence.js';

export function canModerate(peer: { readonly role: Role }): boolean {
  return peer.role === 'owner' || peer.role === 'moderator';
}
