import type { MediaConnection } from '../state/roomState';

/**
 * 'new' ranks below 'connected' on purpose: a transport stays 'new' until it
 * carries media (a send transport of someone who joined with camera and mic
 * off never connects), and it must not make the badge say "connecting".
 */
const severity: Record<MediaConnection, number> = {
  new: -1,
  connected: 0,
  connecting: 1,
  disconnected: 2,
  failed: 3,
  closed: 4,
};

/** The state to show for two transports: the worse of the two that have started. */
export function worstConnection(a: MediaConnection, b: MediaConnection): MediaConnection {
  return severity[a] >= severity[b] ? a : b;
}
