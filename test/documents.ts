/**
 * A project's documents through the real HTTP API, for browser tests: upload
 * a file as a person, list the documents. One way, rather than a FormData and
 * fetch copied into each test.
 */
import type { PageServer } from './meetingPage.js';

export interface ListedDocument {
  documentId: string;
  name: string;
  mimeType: string;
  version: number;
}

async function authorization(server: PageServer, projectId: string, userId: string): Promise<string> {
  return `Bearer ${await server.token({ projectId, userId, displayName: userId.replace(/^u-/, ''), role: 'moderator' })}`;
}

/** Uploads `bytes` as `name` (as a moderator of the project); answers the stored document. Throws unless 201. */
export async function uploadDocument(server: PageServer, projectId: string, name: string, bytes: Uint8Array, userId = 'u-Archi'): Promise<ListedDocument> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${server.url}/api/projects/${projectId}/documents`, {
    method: 'POST',
    headers: { authorization: await authorization(server, projectId, userId) },
    body: form,
  });
  if (response.status !== 201) throw new Error(`upload of ${name}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { document: ListedDocument }).document;
}

/** Every document of the project, all versions. */
export async function listDocuments(server: PageServer, projectId: string, userId = 'u-Archi'): Promise<ListedDocument[]> {
  const response = await fetch(`${server.url}/api/projects/${projectId}/documents`, {
    headers: { authorization: await authorization(server, projectId, userId) },
  });
  return ((await response.json()) as { documents: ListedDocument[] }).documents;
}
