/**
 * The steps protocol-level tests and benchmarks repeat: upload a project
 * document over HTTP, and put a TestClient in a meeting (hello, then join
 * with a device's RTP capabilities).
 */
import { PROTOCOL_VERSION } from '../signaling/src/protocol/index.js';
import { deviceRtpCapabilities } from './fakeMedia.js';
import { TestClient } from './TestClient.js';

/** Uploads `bytes` as `name` into the project; the new document's id (throws unless 201). */
export async function uploadDocument(baseUrl: string, projectId: string, token: string, name: string, bytes: Uint8Array): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${baseUrl}/api/projects/${projectId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (response.status !== 201) throw new Error(`upload of ${name}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { document: { documentId: string } }).document.documentId;
}

/** A TestClient joined in the meeting `roomId` of the project with `token`. */
export async function joinMeeting(baseUrl: string, token: string, projectId: string, roomId: string): Promise<{ c: TestClient; peerId: string }> {
  const c = await TestClient.connect(baseUrl);
  try {
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId, roomId });
    await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
    return { c, peerId: hello.peerId };
  } catch (error) {
    c.close();
    throw error;
  }
}
