/**
 * The calls of one project's HTTP API, with their answers' shapes
 * (signaling/src/routes/projects.ts and documents.ts).
 */
import type { DocumentRef, MeetingRecord, Role } from '@chantier/signaling/protocol';
import type { ApiClient, UploadProgress } from './ApiClient';

export interface ProjectInfo {
  id: string;
  name: string;
  createdAt: number;
  members: Array<{ userId: string; displayName: string; role: Role; addedAt: number }>;
}

/**
 * A document as the HTTP API answers it (DocumentEntry in
 * signaling/src/store/documents.ts, not part of the shared protocol module):
 * one entry per version, `latest` marking the newest of each name.
 */
export interface ProjectDocument {
  documentId: string;
  name: string;
  version: number;
  mimeType: string;
  size: number;
  sha256: string;
  uploadedBy: { userId: string; displayName: string };
  uploadedAt: number;
  /** A thumbnail can be fetched. */
  thumbnail: boolean;
  latest: boolean;
}

export function toDocumentRef(document: ProjectDocument): DocumentRef {
  return {
    documentId: document.documentId,
    name: document.name,
    mimeType: document.mimeType,
    size: document.size,
    version: document.version,
  };
}

/** An invitation link as owners see it (signaling/src/routes/invitations.ts): never its code. */
export interface ProjectInvitation {
  invitationId: string;
  projectId: string;
  role: 'member' | 'guest';
  roomId?: string;
  label?: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  maxUses?: number;
  uses: number;
  revokedAt?: number;
}

export interface NewInvitation {
  role: 'member' | 'guest';
  expiresInS: number;
  maxUses?: number;
  roomId?: string;
  label?: string;
}

export class ProjectApi {
  private readonly base: string;

  constructor(
    private readonly api: ApiClient,
    readonly projectId: string,
  ) {
    this.base = `/api/projects/${encodeURIComponent(projectId)}`;
  }

  project(): Promise<ProjectInfo> {
    return this.api.getJson<ProjectInfo>(this.base);
  }

  /** Finished meetings, newest first. */
  async meetings(): Promise<MeetingRecord[]> {
    return (await this.api.getJson<{ meetings: MeetingRecord[] }>(`${this.base}/meetings`)).meetings;
  }

  async documents(): Promise<ProjectDocument[]> {
    return (await this.api.getJson<{ documents: ProjectDocument[] }>(`${this.base}/documents`)).documents;
  }

  async upload(file: File, onProgress: (progress: UploadProgress) => void): Promise<ProjectDocument> {
    const answer = await this.api.upload<{ document: ProjectDocument }>(`${this.base}/documents`, file, file.name, onProgress);
    return answer.document;
  }

  remove(documentId: string): Promise<void> {
    return this.api.delete(this.documentPath(documentId));
  }

  /** The file; `inline` asks for a viewable rendering (PDF and images only). */
  download(documentId: string, inline: boolean): Promise<Blob> {
    return this.api.getBlob(`${this.documentPath(documentId)}/download${inline ? '?inline=1' : ''}`);
  }

  thumbnail(documentId: string): Promise<Blob> {
    return this.api.getBlob(`${this.documentPath(documentId)}/thumbnail`);
  }

  /** Owners only. */
  async invitations(): Promise<ProjectInvitation[]> {
    return (await this.api.getJson<{ invitations: ProjectInvitation[] }>(`${this.base}/invitations`)).invitations;
  }

  /** The code comes back this once. */
  createInvitation(invitation: NewInvitation): Promise<{ invitation: ProjectInvitation; code: string; url: string }> {
    return this.api.postJson(`${this.base}/invitations`, invitation);
  }

  revokeInvitation(invitationId: string): Promise<void> {
    return this.api.delete(`${this.base}/invitations/${encodeURIComponent(invitationId)}`);
  }

  private documentPath(documentId: string): string {
    return `${this.base}/documents/${encodeURIComponent(documentId)}`;
  }
}
