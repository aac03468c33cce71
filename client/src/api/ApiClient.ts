/**
 * The project's HTTP API (signaling/src/routes/projects.ts, documents.ts):
 * every call carries `Authorization: Bearer <token>`; errors come back as
 * `{error: {code, message}}` with the protocol's codes, and reject here as an
 * ApiError whose code the UI explains like any other (errors.ts, i18n).
 *
 * Answers are trusted to match their shapes, as WebSocket answers are: the
 * server's route schemas serialise them.
 */
import { toServerErrorCode, type AppErrorCode } from '../errors';
import { createLogger } from '../log';

const log = createLogger('api');

/** A failed HTTP call. `message` is for logs; `code` is what the UI shows. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** HTTP status, 0 when no answer came. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** Bytes sent so far of an upload. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * The part of XMLHttpRequest an upload uses (fetch cannot report upload
 * progress). Handlers take the DOM's event type so that a real
 * XMLHttpRequest fits; this client reads only loaded/total/lengthComputable.
 */
export interface XhrLike {
  readonly status: number;
  readonly responseText: string;
  readonly upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: ((event: ProgressEvent) => void) | null;
  onerror: ((event: ProgressEvent) => void) | null;
  onabort: ((event: ProgressEvent) => void) | null;
  ontimeout: ((event: ProgressEvent) => void) | null;
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
}

export interface ApiClientOptions {
  token: string;
  /** '' for the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  createXhr?: () => XhrLike;
  /** For small JSON calls; blobs and uploads take as long as they take. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export class ApiClient {
  private token: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly createXhr: () => XhrLike;
  private readonly timeoutMs: number;

  /** A fresh access token (from the embedding platform) for the calls from now on. */
  setToken(token: string): void {
    this.token = token;
  }

  constructor(options: ApiClientOptions) {
    this.token = options.token;
    this.baseUrl = options.baseUrl ?? '';
    // Bound: window.fetch called as a method of another object throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.createXhr = options.createXhr ?? (() => new XMLHttpRequest());
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async getJson<T>(path: string): Promise<T> {
    const response = await this.call('GET', path, this.timeoutMs);
    return (await response.json()) as T;
  }

  /** A JSON body; resolves with the JSON answer. */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    const response = await this.call('POST', path, this.timeoutMs, body);
    return (await response.json()) as T;
  }

  /** PUT or PATCH with a JSON body; resolves with the JSON answer (undefined for 204). */
  async sendJson<T>(method: 'PUT' | 'PATCH', path: string, body: unknown): Promise<T> {
    const response = await this.call(method, path, this.timeoutMs, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path, this.timeoutMs);
  }

  /** A file's bytes (download, thumbnail), typed by the server's Content-Type. */
  async getBlob(path: string): Promise<Blob> {
    const response = await this.call('GET', path, null);
    return response.blob();
  }

  /**
   * Sends one file as multipart field `file`, reporting progress. Resolves
   * with the JSON answer.
   */
  upload<T>(path: string, file: Blob, fileName: string, onProgress: (progress: UploadProgress) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = this.createXhr();
      xhr.open('POST', this.baseUrl + path);
      xhr.setRequestHeader('Authorization', `Bearer ${this.token}`);
      xhr.upload.onprogress = (event) => {
        onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as T);
          } catch {
            reject(new ApiError('INTERNAL', `upload answer is not JSON (${xhr.status})`, xhr.status));
          }
          return;
        }
        reject(errorFromBody(xhr.status, xhr.responseText));
      };
      // No answer at all: the network, or the server cutting a too large body short.
      xhr.onerror = () => reject(new ApiError('CONNECTION_LOST', 'upload failed on the network', 0));
      xhr.onabort = () => reject(new ApiError('CONNECTION_LOST', 'upload aborted', 0));
      xhr.ontimeout = () => reject(new ApiError('TIMEOUT', 'upload timed out', 0));
      const form = new FormData();
      form.append('file', file, fileName);
      xhr.send(form);
    });
  }

  private async call(method: string, path: string, timeoutMs: number | null, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        // No token: a public call (an invitation link's).
        headers: {
          ...(this.token !== '' ? { Authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // The server sets no cookies; nothing to send but the bearer.
        credentials: 'omit',
        ...(timeoutMs !== null ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      log.warn(`${method} ${path} failed`, error);
      throw new ApiError(timedOut ? 'TIMEOUT' : 'CONNECTION_LOST', `${method} ${path}: no answer`, 0);
    }
    if (!response.ok) throw errorFromBody(response.status, await response.text().catch(() => ''));
    return response;
  }
}

/** The protocol's error body, or a code guessed from the status when the body is not ours (a proxy's page). */
export function errorFromBody(status: number, body: string): ApiError {
  let code: string | undefined;
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = `HTTP ${status}: ${parsed.error.message}`;
  } catch {
    // Not JSON: fall back on the status below.
  }
  return new ApiError(code ? toServerErrorCode(code) : codeOfStatus(status), message, status);
}

function codeOfStatus(status: number): AppErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'CONNECTION_LOST';
    default:
      return status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
  }
}
