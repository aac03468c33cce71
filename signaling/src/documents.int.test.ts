import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { minimalPdf, solidImage } from './documents/fixtures.js';
import { ErrorCode } from './protocol/index.js';
import type { DocumentEntry } from './store/documents.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

type Headers = Record<string, string>;
type TokenOptions = Parameters<TestApp['token']>[0];

const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const docx = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 1)]);

async function auth(app: TestApp, options: TokenOptions = {}): Promise<Headers> {
  return { authorization: `Bearer ${await app.token({ projectId: 'p1', ...options })}` };
}

const documentsUrl = (app: TestApp, projectId: string): string => `${app.url}/api/projects/${projectId}/documents`;

/** Uploads as a browser's FormData does; the client's Content-Type is deliberately wrong. */
async function upload(app: TestApp, headers: Headers, name: string, bytes: Buffer, projectId = 'p1'): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'text/html' }), name);
  return fetch(documentsUrl(app, projectId), { method: 'POST', headers, body: form });
}

async function uploaded(headers: Headers, name: string, bytes: Buffer, projectId = 'p1'): Promise<DocumentEntry> {
  const response = await upload(t, headers, name, bytes, projectId);
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { document: DocumentEntry }).document;
}

async function errorOf(response: Response): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.message).toEqual(expect.any(String));
  return { status: response.status, code: body.error.code };
}

/** Every file under a directory (recursively), relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const entry of entries) if ((await stat(join(dir, entry))).isFile()) files.push(entry);
  return files.sort();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const blobPath = (app: TestApp, digest: string): string =>
  join(app.config.documentsDir, 'sha256', digest.slice(0, 2), digest);
const thumbPath = (app: TestApp, digest: string): string => join(app.config.documentsDir, 'thumbs', `${digest}.jpg`);

describe('upload and download', () => {
  it('round-trips a PDF byte for byte, typed by its content, with safe download headers', async () => {
    const headers = await auth(t, { userId: 'lea', displayName: 'Léa Martin' });
    const pdf = minimalPdf('round trip');
    const doc = await uploaded(headers, 'CCTP lot 02.pdf', pdf);
    expect(doc).toMatchObject({
      name: 'CCTP lot 02.pdf',
      version: 1,
      mimeType: 'application/pdf', // not the client's text/html
      size: pdf.length,
      sha256: sha256(pdf),
      uploadedBy: { userId: 'lea', displayName: 'Léa Martin' },
      thumbnail: true,
      latest: true,
    });
    expect(doc.documentId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(Math.abs(doc.uploadedAt - Date.now())).toBeLessThan(60_000);
    expect(await exists(blobPath(t, doc.sha256))).toBe(true);

    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/download`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe(String(pdf.length));
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="CCTP lot 02.pdf"; filename*=UTF-8''CCTP%20lot%2002.pdf`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(pdf));
  });

  it('round-trips a PNG, and lets PDFs and images be viewed inline, still nosniff and sandboxed', async () => {
    const headers = await auth(t);
    const png = await solidImage(800, 600);
    const doc = await uploaded(headers, 'Façade nord.png', png);
    expect(doc).toMatchObject({ mimeType: 'image/png', size: png.length, thumbnail: true });

    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/download?inline=1`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-disposition')).toBe(
      `inline; filename="Fa_ade nord.png"; filename*=UTF-8''Fa%C3%A7ade%20nord.png`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(png));
  });

  it('refuses inline viewing of other types', async () => {
    const headers = await auth(t);
    const doc = await uploaded(headers, 'planning.docx', docx);
    expect(doc.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/download?inline=1`, { headers });
    expect(await errorOf(response)).toEqual({ status: 400, code: ErrorCode.BAD_REQUEST });
  });

  it('keeps only a safe name (no path, no control characters)', async () => {
    const doc = await uploaded(await auth(t), '../../etc/pass\u202Ewd.pdf', minimalPdf('name'));
    expect(doc.name).toBe('passwd.pdf');
  });

  it('refuses a request that is not a multipart upload of a "file" field', async () => {
    const headers = await auth(t);
    const json = await fetch(documentsUrl(t, 'p1'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"file":"x"}',
    });
    expect(await errorOf(json)).toEqual({ status: 400, code: ErrorCode.BAD_REQUEST });

    const form = new FormData();
    form.append('attachment', new Blob([new Uint8Array(minimalPdf())]), 'plan.pdf');
    const wrongField = await fetch(documentsUrl(t, 'p1'), { method: 'POST', headers, body: form });
    expect(await errorOf(wrongField)).toEqual({ status: 400, code: ErrorCode.BAD_REQUEST });
  });
});

describe('versions and listing', () => {
  it('numbers a name uploaded again (case-insensitively) as the next version, and lists newest first', async () => {
    const headers = await auth(t, { projectId: 'versions' });
    const v1 = await uploaded(headers, 'Plan RDC.pdf', minimalPdf('v1'), 'versions');
    const other = await uploaded(headers, 'Coupe AA.pdf', minimalPdf('other'), 'versions');
    const v2 = await uploaded(headers, 'plan rdc.PDF', minimalPdf('v2'), 'versions');
    expect([v1.version, other.version, v2.version]).toEqual([1, 1, 2]);

    const list = await fetch(documentsUrl(t, 'versions'), { headers });
    expect(list.status).toBe(200);
    const { documents } = (await list.json()) as { documents: DocumentEntry[] };
    expect(documents.map((d) => [d.name, d.version, d.latest])).toEqual([
      ['plan rdc.PDF', 2, true],
      ['Coupe AA.pdf', 1, true],
      ['Plan RDC.pdf', 1, false],
    ]);

    const first = await fetch(`${documentsUrl(t, 'versions')}/${v1.documentId}`, { headers });
    expect(((await first.json()) as { document: DocumentEntry }).document).toMatchObject({ version: 1, latest: false });

    // Deleting the newest makes the previous one latest again; the next upload follows it.
    expect((await fetch(`${documentsUrl(t, 'versions')}/${v2.documentId}`, { method: 'DELETE', headers })).status).toBe(204);
    const again = await fetch(`${documentsUrl(t, 'versions')}/${v1.documentId}`, { headers });
    expect(((await again.json()) as { document: DocumentEntry }).document.latest).toBe(true);
    expect((await uploaded(headers, 'PLAN RDC.pdf', minimalPdf('v2 bis'), 'versions')).version).toBe(2);
  });

  it('numbers concurrent uploads of one name without gaps or duplicates', async () => {
    const headers = await auth(t, { projectId: 'race' });
    const docs = await Promise.all(
      [1, 2, 3, 4].map((i) => uploaded(headers, 'Same.pdf', minimalPdf(`race ${i}`), 'race')),
    );
    expect(docs.map((d) => d.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('is what other modules read through app.documents', async () => {
    const doc = await uploaded(await auth(t), 'ref.pdf', minimalPdf('ref'));
    const meta = await t.app.documents.get('p1', doc.documentId);
    expect(meta).toBeDefined();
    expect(meta && t.app.documents.toRef(meta)).toEqual({
      documentId: doc.documentId,
      name: 'ref.pdf',
      mimeType: 'application/pdf',
      size: doc.size,
      version: 1,
    });
    expect(await t.app.documents.get('p1', 'nope')).toBeUndefined();
    expect(await t.app.documents.get('p2', doc.documentId)).toBeUndefined();
  });
});

describe('thumbnails', () => {
  it.each([
    ['an image', 'photo chantier.jpg', () => solidImage(1200, 900, 'jpeg')],
    ['a PDF', 'notice.pdf', async () => minimalPdf('thumb')],
  ])('serves a JPEG thumbnail of %s, at most 320 px wide', async (_label, name, make) => {
    const headers = await auth(t);
    const doc = await uploaded(headers, name, await make());
    expect(doc.thumbnail).toBe(true);
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/thumbnail`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeLessThanOrEqual(320);
    expect(meta.width).toBeGreaterThan(0);
  });

  it('answers NOT_FOUND for a document without one', async () => {
    const headers = await auth(t);
    const doc = await uploaded(headers, 'note.docx', docx);
    expect(doc.thumbnail).toBe(false);
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/thumbnail`, { headers });
    expect(await errorOf(response)).toEqual({ status: 404, code: ErrorCode.NOT_FOUND });
  });

  it('keeps the upload when the thumbnail cannot be made', async () => {
    // Valid PNG signature, garbage after it: accepted by type, unrenderable.
    const broken = Buffer.concat([(await solidImage(10, 10)).subarray(0, 16), Buffer.alloc(100, 0xee)]);
    const doc = await uploaded(await auth(t), 'broken.png', broken);
    expect(doc.thumbnail).toBe(false);
    expect(await exists(blobPath(t, doc.sha256))).toBe(true);
  });
});

describe('refused uploads keep nothing', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ MAX_UPLOAD_BYTES: '2048' });
  });
  afterAll(async () => {
    await small.close();
  });

  it('refuses a file over MAX_UPLOAD_BYTES with TOO_LARGE, read or only declared', async () => {
    const headers = await auth(small);
    // Slightly over: the body is read and the meter stops it.
    const slightly = await upload(small, headers, 'big.pdf', Buffer.concat([minimalPdf(), Buffer.alloc(2048)]));
    expect(await errorOf(slightly)).toEqual({ status: 413, code: ErrorCode.TOO_LARGE });
    // Far over: refused from Content-Length before reading.
    const far = await upload(small, headers, 'huge.pdf', Buffer.concat([minimalPdf(), Buffer.alloc(1024 * 1024)]));
    expect(await errorOf(far)).toEqual({ status: 413, code: ErrorCode.TOO_LARGE });
    // Exactly at the limit is fine.
    const pdf = minimalPdf();
    const atLimit = Buffer.concat([pdf, Buffer.alloc(2048 - pdf.length, 0x20)]);
    expect((await upload(small, headers, 'fits.pdf', atLimit)).status).toBe(201);

    expect(await filesUnder(join(small.config.documentsDir, 'tmp'))).toEqual([]);
    expect(await filesUnder(join(small.config.documentsDir, 'sha256'))).toEqual([
      join(sha256(atLimit).slice(0, 2), sha256(atLimit)),
    ]);
  });

  it.each([
    ['an HTML page renamed .pdf', 'report.pdf', Buffer.from('<!DOCTYPE html><script>alert(document.cookie)</script>')],
    ['a Windows executable', 'setup.exe', Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(100)])],
    ['an executable renamed .pdf', 'setup.pdf', Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(100)])],
    ['a PNG named .pdf', 'photo.pdf', Buffer.from('\x89PNG\r\n\x1a\n0000', 'latin1')],
  ])('refuses %s with UNSUPPORTED_TYPE', async (_label, name, bytes) => {
    const headers = await auth(small);
    expect(await errorOf(await upload(small, headers, name, bytes))).toEqual({
      status: 415,
      code: ErrorCode.UNSUPPORTED_TYPE,
    });
    expect(await filesUnder(join(small.config.documentsDir, 'tmp'))).toEqual([]);
    expect(await exists(blobPath(small, sha256(bytes)))).toBe(false);
    const list = (await (await fetch(documentsUrl(small, 'p1'), { headers })).json()) as { documents: DocumentEntry[] };
    expect(list.documents.map((d) => d.name)).not.toContain(name);
  });
});

describe('broken multipart bodies', () => {
  // An app of its own: these uploads would eat the others' per-address upload allowance.
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A raw upload: these bodies are what no FormData makes. */
  async function rawUpload(contentType: string, body: string): Promise<Response> {
    return fetch(documentsUrl(t, 'p1'), { method: 'POST', headers: { ...(await auth(t)), 'content-type': contentType }, body });
  }
  const part = (boundary: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.pdf"\r\nContent-Type: application/pdf\r\n\r\n${minimalPdf().toString('latin1')}\r\n`;

  it.each([
    ['no boundary', 'multipart/form-data', part('XYZ') + '--XYZ--\r\n'],
    ['an empty boundary', 'multipart/form-data; boundary=', part('XYZ') + '--XYZ--\r\n'],
    ['a boundary longer than multipart allows', `multipart/form-data; boundary=${'b'.repeat(300)}`, part('b'.repeat(300)) + `--${'b'.repeat(300)}--\r\n`],
    ['a boundary the body does not use', 'multipart/form-data; boundary=ABC', part('XYZ') + '--XYZ--\r\n'],
    ['no closing boundary', 'multipart/form-data; boundary=XYZ', part('XYZ')],
    ['a part without its headers’ end', 'multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'],
    ['a closing boundary only', 'multipart/form-data; boundary=XYZ', '--XYZ--\r\n'],
  ])('answers %s 400 BAD_REQUEST and keeps nothing', async (_label, contentType, body) => {
    const before = (await (await fetch(documentsUrl(t, 'p1'), { headers: await auth(t) })).json()) as { documents: DocumentEntry[] };
    expect(await errorOf(await rawUpload(contentType, body))).toEqual({ status: 400, code: ErrorCode.BAD_REQUEST });
    expect(await filesUnder(join(t.config.documentsDir, 'tmp'))).toEqual([]);
    const after = (await (await fetch(documentsUrl(t, 'p1'), { headers: await auth(t) })).json()) as { documents: DocumentEntry[] };
    expect(after.documents.length).toBe(before.documents.length);
    // The server is still well.
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});

describe('access', () => {
  let doc: DocumentEntry;
  beforeAll(async () => {
    doc = await uploaded(await auth(t, { userId: 'owner-of-doc' }), 'private.pdf', minimalPdf('private'));
  });

  it("refuses every route of another project with FORBIDDEN, whether or not the document exists", async () => {
    const outsider = await auth(t, { projectId: 'p2', role: 'owner' });
    const base = documentsUrl(t, 'p1');
    for (const id of [doc.documentId, 'does-not-exist']) {
      const attempts: [string, Promise<Response>][] = [
        ['list', fetch(base, { headers: outsider })],
        ['metadata', fetch(`${base}/${id}`, { headers: outsider })],
        ['download', fetch(`${base}/${id}/download`, { headers: outsider })],
        ['thumbnail', fetch(`${base}/${id}/thumbnail`, { headers: outsider })],
        ['delete', fetch(`${base}/${id}`, { method: 'DELETE', headers: outsider })],
        ['upload', upload(t, outsider, 'intrusion.pdf', minimalPdf('intrusion'))],
      ];
      for (const [route, attempt] of attempts) {
        expect({ route, ...(await errorOf(await attempt)) }).toEqual({ route, status: 403, code: ErrorCode.FORBIDDEN });
      }
    }
    // Nor does a project that does not exist answer differently.
    const ghost = await fetch(documentsUrl(t, 'ghost'), { headers: outsider });
    expect(await errorOf(ghost)).toEqual({ status: 403, code: ErrorCode.FORBIDDEN });
    // And the document is still there.
    expect(await t.app.documents.get('p1', doc.documentId)).toBeDefined();
  });

  it('answers UNAUTHORIZED without a token', async () => {
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}/download`);
    expect(await errorOf(response)).toEqual({ status: 401, code: ErrorCode.UNAUTHORIZED });
  });

  it('answers NOT_FOUND for an unknown document of one’s own project', async () => {
    const headers = await auth(t);
    const base = `${documentsUrl(t, 'p1')}/unknown-doc`;
    for (const [path, method] of [
      ['', 'GET'],
      ['/download', 'GET'],
      ['/thumbnail', 'GET'],
      ['', 'DELETE'],
    ] as const) {
      expect(await errorOf(await fetch(`${base}${path}`, { method, headers }))).toEqual({
        status: 404,
        code: ErrorCode.NOT_FOUND,
      });
    }
  });

  it.each([
    '/api/projects/p1/documents/../../../../etc/passwd/download',
    '/api/projects/p1/documents/..%2F..%2F..%2Fetc%2Fpasswd/download',
    '/api/projects/p1/documents/%2e%2e/download',
    '/api/projects/p1/documents/..%5C..%5Cetc/download',
    '/api/projects/..%2Fp1/documents',
  ])('never serves a file outside the store for %s', async (path) => {
    const token = (await auth(t)).authorization ?? '';
    // node:http sends the path as written (fetch would normalise the dots).
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(t.url);
      const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { authorization: token } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect([400, 404]).toContain(status);
    expect(body).not.toContain('root:');
  });
});

describe('delete', () => {
  it('is refused to a member who is neither the uploader nor an owner', async () => {
    const doc = await uploaded(await auth(t, { userId: 'uploader' }), 'mine.pdf', minimalPdf('mine'));
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}`, {
      method: 'DELETE',
      headers: await auth(t, { userId: 'someone-else', role: 'member' }),
    });
    expect(await errorOf(response)).toEqual({ status: 403, code: ErrorCode.FORBIDDEN });
    expect(await t.app.documents.get('p1', doc.documentId)).toBeDefined();
  });

  it('is allowed to an owner', async () => {
    const doc = await uploaded(await auth(t, { userId: 'uploader' }), 'theirs.pdf', minimalPdf('theirs'));
    const response = await fetch(`${documentsUrl(t, 'p1')}/${doc.documentId}`, {
      method: 'DELETE',
      headers: await auth(t, { userId: 'boss', role: 'owner' }),
    });
    expect(response.status).toBe(204);
    expect(await t.app.documents.get('p1', doc.documentId)).toBeUndefined();
  });

  it('by the uploader removes the file only once no document (any project) uses it', async () => {
    const png = await solidImage(64, 64, 'png', [1, 2, 3]);
    const digest = sha256(png);
    const lea = await auth(t, { userId: 'lea' });
    const p2 = await auth(t, { projectId: 'p2', userId: 'marc' });
    const a = await uploaded(lea, 'shared-a.png', png);
    const b = await uploaded(lea, 'shared-b.png', png);
    const c = await uploaded(p2, 'elsewhere.png', png, 'p2');
    expect([a.sha256, b.sha256, c.sha256]).toEqual([digest, digest, digest]);
    expect(await exists(thumbPath(t, digest))).toBe(true);

    const remove = (projectId: string, id: string, headers: Headers) =>
      fetch(`${documentsUrl(t, projectId)}/${id}`, { method: 'DELETE', headers });

    expect((await remove('p1', a.documentId, lea)).status).toBe(204);
    expect(await exists(blobPath(t, digest))).toBe(true);
    expect((await remove('p1', b.documentId, lea)).status).toBe(204);
    expect(await exists(blobPath(t, digest))).toBe(true); // still used in p2
    const download = await fetch(`${documentsUrl(t, 'p2')}/${c.documentId}/download`, { headers: p2 });
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(digest);

    expect((await remove('p2', c.documentId, p2)).status).toBe(204);
    expect(await exists(blobPath(t, digest))).toBe(false);
    expect(await exists(thumbPath(t, digest))).toBe(false);
    expect(await t.app.redis.hGet(t.app.keys.documentBlobRefs(), digest)).toBeNull();

    // Gone for good: a second delete and a download are NOT_FOUND.
    expect(await errorOf(await remove('p2', c.documentId, p2))).toEqual({ status: 404, code: ErrorCode.NOT_FOUND });
    const after = await fetch(`${documentsUrl(t, 'p2')}/${c.documentId}/download`, { headers: p2 });
    expect(after.status).toBe(404);

    // And the same bytes can be uploaded again.
    const again = await uploaded(lea, 'shared-a.png', png);
    expect(await exists(blobPath(t, digest))).toBe(true);
    expect(again.thumbnail).toBe(true);
  });
});
