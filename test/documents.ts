/**
 * A project's documents through the real HTTP API, for browser tests: upload
 * a file as a person (minting the token), list the documents.
 */
import { uploadDocument as upload } from './meetingClient.js';
import type { PageServer } from './meetingPage.js';

export interface ListedDocument {
  documentId: string;
  name: string;
  mimeType: string;
  version: number;
}

function moderatorToken(server: PageServer, projectId: string, userId: string): Promise<string> {
  return server.token({ projectId, userId, displayName: userId.replace(/^u-/, ''), role: 'moderator' });
}

/** Uploads `bytes` as `name` as a moderator of the project (test/meetingClient.ts's upload); the new document's id. */
export async function uploadDocument(server: PageServer, projectId: string, name: string, bytes: Uint8Array, userId = 'u-Archi'): Promise<string> {
  return upload(server.url, projectId, await moderatorToken(server, projectId, userId), name, bytes);
}

/** Every document of the project, all versions. */
export async function listDocuments(server: PageServer, projectId: string, userId = 'u-Archi'): Promise<ListedDocument[]> {
  const response = await fetch(`${server.url}/api/projects/${projectId}/documents`, {
    headers: { authorization: `Bearer ${await moderatorToken(server, projectId, userId)}` },
  });
  return ((await response.json()) as { documents: ListedDocument[] }).documents;
}
