import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, errorFromBody, type XhrLike } from './ApiClient';

function answer(status: number, body: unknown): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('ApiClient', () => {
  it('sends the bearer token and returns the JSON answer', async () => {
    const fetch = vi.fn(async () => answer(200, { id: 'p1', name: 'Lyon 7' }));
    const api = new ApiClient({ token: 'a.b.c', fetch });
    expect(await api.getJson('/api/projects/p1')).toEqual({ id: 'p1', name: 'Lyon 7' });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toEqual({ Authorization: 'Bearer a.b.c' });
  });

  it('posts JSON, and makes public calls (an invitation link) without any Authorization header', async () => {
    const fetch = vi.fn(async () => answer(200, { token: 'x' }));
    const api = new ApiClient({ token: '', fetch });
    expect(await api.postJson('/api/invitations/c/accept', { displayName: 'Léa' })).toEqual({ token: 'x' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/invitations/c/accept');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(init.body).toBe('{"displayName":"Léa"}');
    await api.getJson('/api/invitations/c');
    expect((fetch.mock.calls[1] as unknown as [string, RequestInit])[1].headers).toEqual({});
  });

  it('maps invitation refusals to their codes', async () => {
    for (const code of ['INVITATION_INVALID', 'INVITATION_EXPIRED', 'INVITATION_USED_UP', 'INVITATIONS_DISABLED']) {
      expect(errorFromBody(410, JSON.stringify({ error: { code, message: 'm' } })).code).toBe(code);
    }
  });

  it("turns the server's error body into its code", async () => {
    const fetch = vi.fn(async () => answer(403, { error: { code: 'FORBIDDEN', message: 'not a member' } }));
    const error = await failure(new ApiClient({ token: 't', fetch }).getJson('/x'));
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('guesses from the status when the body is not the protocol’s, and knows no-answer cases', async () => {
    expect(errorFromBody(413, '<html>too big</html>').code).toBe('TOO_LARGE');
    expect(errorFromBody(502, '').code).toBe('CONNECTION_LOST');
    expect(errorFromBody(400, '{"error":{"code":"SOMETHING_NEW"}}').code).toBe('INTERNAL');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const offline = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect((await failure(new ApiClient({ token: 't', fetch: offline }).delete('/x'))).code).toBe('CONNECTION_LOST');
    vi.restoreAllMocks();
  });

  it('uploads as multipart field "file", reports progress, and reads UNSUPPORTED_TYPE', async () => {
    const progress: number[] = [];
    let xhr!: XhrLike & { sent?: FormData; headers: Record<string, string> };
    const createXhr = () => {
      xhr = {
        status: 0,
        responseText: '',
        upload: { onprogress: null },
        onload: null,
        onerror: null,
        onabort: null,
        ontimeout: null,
        headers: {},
        open: vi.fn(),
        setRequestHeader(name: string, value: string) {
          this.headers[name] = value;
        },
        send(body: FormData) {
          this.sent = body;
        },
        abort: vi.fn(),
      };
      return xhr;
    };
    const api = new ApiClient({ token: 'tok', createXhr });
    const uploading = api.upload('/api/projects/p1/documents', new Blob(['%PDF-1.4']), 'plan.exe', (p) => progress.push(p.loaded));
    expect(xhr.headers).toEqual({ Authorization: 'Bearer tok' });
    expect((xhr.sent?.get('file') as File).name).toBe('plan.exe');
    // Only these fields are read; Node has no ProgressEvent to build.
    const event = (fields: object) => fields as ProgressEvent;
    xhr.upload.onprogress?.(event({ loaded: 4, total: 8, lengthComputable: true }));
    (xhr as { status: number }).status = 415;
    (xhr as { responseText: string }).responseText = JSON.stringify({ error: { code: 'UNSUPPORTED_TYPE', message: 'no' } });
    xhr.onload?.(event({}));
    expect(await failure(uploading)).toMatchObject({ code: 'UNSUPPORTED_TYPE', status: 415 });
    expect(progress).toEqual([4]);
  });
});
