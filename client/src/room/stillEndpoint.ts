/**
 * Where a shared screen's still pictures are sent and fetched (the HTTP
 * routes of signaling/src/routes/screenStills.ts): on the node the meeting's
 * socket is on, since the pictures are kept in that node's memory.
 */
export interface StillEndpoint {
  /** http(s)://host of the meeting's node. */
  origin: string;
  projectId: string;
  roomId: string;
  token: string;
}

/** http(s)://host of a ws(s)://host/ws socket URL (relative ones against the page). */
export function httpOriginOf(socketUrl: string, base = globalThis.location?.href ?? 'http://localhost/'): string {
  const url = new URL(socketUrl, base);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  return `${secure ? 'https' : 'http'}://${url.host}`;
}

export function stillUrl(endpoint: StillEndpoint, producerId: string): string {
  const { origin, projectId, roomId } = endpoint;
  return `${origin}/api/projects/${encodeURIComponent(projectId)}/meetings/${encodeURIComponent(roomId)}/screens/${encodeURIComponent(producerId)}/still`;
}
