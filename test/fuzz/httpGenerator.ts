/**
 * Requests for the HTTP fuzz test (test/httpFuzz.int.test.ts), built from
 * the app's own route table (app.routeTable: every route Fastify
 * registered, with its schema), so that a new route is fuzzed without
 * editing anything here.
 *
 * Each request picks a route (or a path no route serves), then a method
 * (mostly the route's, sometimes another), parameter values (valid ones, at
 * and past each schema bound, traversal, encoded slashes, NUL, 1,000
 * characters, tokens and codes where ids belong, ids the stores refuse), a
 * query, a credential (valid tokens of several roles, expired, forged,
 * another project's, garbage, none) and a body (one valid for the schema,
 * mutated, bad or deeply nested JSON, past the body limit, wrong content
 * types, broken multipart for uploads). Seeded: the same seed gives the
 * same requests.
 */
import type { Prng } from './prng.js';

export interface FuzzRoute {
  readonly method: string;
  readonly url: string;
  readonly schema?: unknown;
  readonly staticFile: boolean;
  readonly websocket: boolean;
}

export interface HttpFuzzContext {
  projectId: string;
  /** Bearer values: the key names the kind (owner, member, expired, forged...), for the counts. */
  credentials: Record<string, string | undefined>;
  /** Ids known to the app (document ids, invitation ids, user ids), fed back as the run goes. */
  ids: string[];
  /** Invitation codes minted in the test (the fuzz's own POSTs add theirs). */
  codes: string[];
  /** The app's body limit (bytes): huge bodies go past it. */
  bodyLimit: number;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** For the counts: the route's pattern (or "unknown path"), and what was done to the request. */
  route: string;
  tags: string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Chat ids the schema allows but Redis refuses (issue 16, item 2): wip-ids makes them BAD_REQUEST. */
export const REDIS_REFUSED_STREAM_IDS = ['0-0', '99999999999999999999-1', '18446744073709551616-0', '99999999999999999999-99999999999999999999'];

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export class HttpRequestGenerator {
  readonly #routes: FuzzRoute[];
  readonly #staticRoutes: FuzzRoute[];

  constructor(
    private readonly rng: Prng,
    routes: readonly FuzzRoute[],
    private readonly ctx: HttpFuzzContext,
  ) {
    this.#routes = routes.filter((r) => !r.staticFile && r.method !== 'HEAD');
    this.#staticRoutes = routes.filter((r) => r.staticFile && r.method === 'GET');
  }

  next(): FuzzRequest {
    const rng = this.rng;
    const roll = rng.float();
    const route = roll < 0.06 ? undefined : roll < 0.09 && this.#staticRoutes.length > 0 ? rng.pick(this.#staticRoutes) : rng.pick(this.#routes);
    const tags: string[] = [];
    let method = route?.method ?? rng.pick(METHODS);
    if (rng.bool(0.15)) {
      method = rng.pick(METHODS);
      tags.push('method');
    }
    const path = route ? this.#path(route, tags) : this.#unknownPath(tags);
    const query = this.#query(route, tags);
    const headers: Record<string, string> = {};
    const credential = this.#credential(tags);
    if (credential !== undefined) headers.authorization = credential;
    const request: FuzzRequest = { method, url: path + query, headers, route: route ? `${route.method} ${route.url}` : 'unknown path', tags };
    if (method !== 'GET' && method !== 'HEAD' && (rng.bool(0.9) || method === 'POST' || method === 'PUT')) this.#body(request, route);
    else if (rng.bool(0.03)) this.#body(request, route);
    if (rng.bool(0.03)) {
      headers.range = rng.pick(['bytes=0-10', 'bytes=99999999-', 'bytes=5-1', 'bytes=abc', 'items=0-1']);
      tags.push('range');
    }
    return request;
  }

  #path(route: FuzzRoute, tags: string[]): string {
    const params = ((route.schema as { params?: JsonSchema } | undefined)?.params?.properties ?? {}) as Record<string, JsonSchema>;
    return route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
      const schema = params[name] ?? { type: 'string', maxLength: 64 };
      return this.#param(name, schema, tags);
    });
  }

  /** A parameter value, percent-encoded as it goes in a path (or, sometimes, raw). */
  #param(name: string, schema: JsonSchema, tags: string[]): string {
    const rng = this.rng;
    const max = schema.maxLength ?? 64;
    const kind = rng.weighted({ valid: 30, known: 14, atBound: 6, pastBound: 6, long: 4, huge: 1, traversal: 4, slash: 4, nul: 3, unicode: 4, secret: 5, empty: 2, junk: 5, raw: 4 });
    if (kind !== 'valid') tags.push(`param:${kind}`);
    switch (kind) {
      case 'valid':
        return name === 'projectId' ? this.ctx.projectId : encodeURIComponent(this.#string(schema));
      case 'known':
        return encodeURIComponent(name === 'code' && this.ctx.codes.length > 0 ? rng.pick(this.ctx.codes) : this.ctx.ids.length > 0 ? rng.pick(this.ctx.ids) : this.ctx.projectId);
      case 'atBound':
        return encodeURIComponent(this.#idChars(max));
      case 'pastBound':
        return encodeURIComponent(this.#idChars(max + rng.int(1, 2)));
      case 'long':
        return this.#idChars(1000);
      case 'huge':
        return this.#idChars(rng.int(5000, 20_000));
      case 'traversal':
        return rng.pick(['..', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '....//', '.%2e']);
      case 'slash':
        return rng.pick(['a%2Fb', '%2F', 'a%5Cb', '%252F', 'a/b']);
      case 'nul':
        return rng.pick(['%00', 'a%00b', `${this.#idChars(8)}%00`, '%0d%0aX-Injected:%201']);
      case 'unicode':
        return encodeURIComponent(rng.pick(['é'.repeat(rng.int(1, max + 1)), '😀'.repeat(rng.int(1, 40)), '\u202e', 'Ä̈', '\uFEFF']));
      case 'secret':
        // Where a secret may be sent: an invitation code as the code, a token (JWT-shaped: redacted wherever it is) or a configured token anywhere.
        return encodeURIComponent(name === 'code' && this.ctx.codes.length > 0 && rng.bool() ? rng.pick(this.ctx.codes) : rng.pick(this.#tokens()));
      case 'empty':
        return '';
      case 'junk':
        return rng.pick(['%zz', '%', '%E0%A4%A', '%C0%AF', '%FF', '%u0041']);
      case 'raw':
        return rng.pick(['a b', 'a"b', "a'b", 'a<b>', 'a;b', 'a,b', 'a|b', 'a`b', '*', '~', 'a:b']);
    }
  }

  /** The credentials' tokens, without their scheme. */
  #tokens(): string[] {
    return Object.values(this.ctx.credentials)
      .filter((c): c is string => c !== undefined)
      .map((c) => c.replace(/^(Bearer|Basic) /, ''));
  }

  #unknownPath(tags: string[]): string {
    tags.push('unknown');
    return this.rng.pick([
      '/nope',
      '/api',
      '/api/',
      '/api/projects/',
      `/api/projects/${this.ctx.projectId}/nope`,
      '/p',
      '/p/',
      '/i',
      '/ws/x',
      '/.env',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '//api//projects',
      `/${'a'.repeat(3000)}`,
      '/assets/',
      '/assets/%00.js',
      '/index.html/',
      '/%zz',
      `/api/invitations/${this.ctx.codes[0] ?? 'x'}/nope`,
      `/API/Invitations/${this.ctx.codes[0] ?? 'x'}`,
    ]);
  }

  #query(route: FuzzRoute | undefined, tags: string[]): string {
    const rng = this.rng;
    const schema = (route?.schema as { querystring?: JsonSchema } | undefined)?.querystring;
    const roll = rng.float();
    if (roll < 0.55) {
      if (!schema?.properties || rng.bool(0.5)) return '';
      return this.#queryFrom(schema);
    }
    tags.push('query');
    const pairs = rng.weighted({ streamIds: 3, bounds: 3, extra: 3, token: 2, long: 1, repeat: 1, junk: 2 });
    switch (pairs) {
      case 'streamIds':
        tags.push('stream-id');
        return `?before=${encodeURIComponent(rng.pick([...REDIS_REFUSED_STREAM_IDS, '1-1', '-1', '1-', 'abc', '1-2-3']))}`;
      case 'bounds':
        return `?limit=${rng.pick(['0', '1', '100', '101', '-1', '1e9', 'abc', '1.5', '', '9'.repeat(30)])}`;
      case 'extra':
        return `?${rng.pick(['x=1', 'inline=1', 'inline=2', 'inline=', '__proto__=1', 'constructor=1', 'a[b]=1'])}`;
      case 'token':
        // Under a secret's name, any secret; under another name, a token (JWT-shaped, or one of the server's own).
        return rng.bool()
          ? `?${rng.pick(['token', 'access_token', 'code', 'secret', 'TOKEN', '%74oken'])}=${encodeURIComponent(rng.pick([...this.ctx.codes, ...this.#tokens()]))}`
          : `?q=${encodeURIComponent(rng.pick(this.#tokens()))}`;
      case 'long':
        return `?x=${'a'.repeat(rng.int(1000, 8000))}`;
      case 'repeat':
        return '?limit=1&limit=2&before=1-0&before=2-0';
      case 'junk':
        return rng.pick(['?%zz=1', '?=', '?&&&', '?a=%00', '?limit=%zz', '?#frag']);
    }
  }

  #queryFrom(schema: JsonSchema): string {
    const value = this.#value(schema, 0) as Record<string, unknown>;
    const pairs = Object.entries(value).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return pairs.length > 0 ? `?${pairs.join('&')}` : '';
  }

  #credential(tags: string[]): string | undefined {
    const kinds = Object.keys(this.ctx.credentials);
    const kind = this.rng.pick(kinds);
    tags.push(`auth:${kind}`);
    return this.ctx.credentials[kind];
  }

  #body(request: FuzzRequest, route: FuzzRoute | undefined): void {
    const rng = this.rng;
    const upload = route !== undefined && route.url.endsWith('/documents') && route.method === 'POST';
    if (upload && rng.bool(0.8)) return this.#multipart(request);
    const schema = (route?.schema as { body?: JsonSchema } | undefined)?.body;
    const kind = rng.weighted({ valid: 30, mutated: 25, badJson: 8, deep: 4, huge: 1, wrongType: 10, empty: 5, array: 3, multipart: 4, form: 3 });
    request.tags.push(`body:${kind}`);
    const json = (value: unknown) => {
      request.headers['content-type'] = 'application/json';
      request.payload = JSON.stringify(value);
    };
    switch (kind) {
      case 'valid':
        return json(schema ? this.#value(schema, 0) : {});
      case 'mutated':
        return json(this.#mutate(schema ? this.#value(schema, 0) : {}, schema));
      case 'badJson':
        request.headers['content-type'] = rng.pick(['application/json', 'application/json; charset=utf-8']);
        request.payload = rng.pick(['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '1e999999', '"\\ud800"', '[1,2', '\xff\xfe']);
        return;
      case 'deep': {
        // Deep enough for any recursive reader to notice; a JSON.parse of 50,000 levels costs ~0.1 s of CPU each, rare then.
        const depth = rng.bool(0.1) ? rng.int(10_000, 50_000) : rng.int(100, 2_000);
        request.headers['content-type'] = 'application/json';
        request.payload = rng.bool() ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        return;
      }
      case 'huge':
        request.headers['content-type'] = 'application/json';
        request.payload = `{"name":"${'a'.repeat(this.ctx.bodyLimit + rng.int(1, 4096))}"}`;
        return;
      case 'wrongType':
        request.headers['content-type'] = rng.pick(['text/plain', 'application/xml', 'image/png', 'application/octet-stream', 'text/html; charset=utf-8', 'application/jsonx', '*/*', 'application/json; charset=ebcdic', 'garbage']);
        request.payload = rng.bool() ? JSON.stringify(schema ? this.#value(schema, 0) : {}) : rng.bytes(rng.int(0, 200));
        return;
      case 'empty':
        if (rng.bool()) request.headers['content-type'] = 'application/json';
        request.payload = '';
        return;
      case 'array':
        return json(rng.pick([[], [1], null, 1, 'x', true]));
      case 'multipart':
        return this.#multipart(request);
      case 'form':
        request.headers['content-type'] = 'application/x-www-form-urlencoded';
        request.payload = 'role=guest&expiresInS=600';
        return;
    }
  }

  #multipart(request: FuzzRequest): void {
    const rng = this.rng;
    const b = `----fuzz${rng.u32().toString(16)}`;
    const file = (name: string, field = 'file', bytes: Buffer | string = '%PDF-1.4\n%fuzz\n') =>
      `--${b}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n${bytes.toString()}\r\n`;
    const kind = rng.weighted({ noBoundary: 3, unusedBoundary: 3, unclosed: 3, cut: 3, headerless: 2, longBoundary: 2, emptyBoundary: 1, wrongField: 2, twoFiles: 2, manyParts: 2, closeOnly: 1, docx: 1, html: 1 });
    request.tags.push(`multipart:${kind}`);
    let contentType = `multipart/form-data; boundary=${b}`;
    let body: string;
    switch (kind) {
      case 'noBoundary':
        contentType = 'multipart/form-data';
        body = file('plan.pdf') + `--${b}--\r\n`;
        break;
      case 'unusedBoundary':
        contentType = 'multipart/form-data; boundary=NOTUSED';
        body = file('plan.pdf') + `--${b}--\r\n`;
        break;
      case 'unclosed':
        body = file('plan.pdf');
        break;
      case 'cut':
        body = (file('plan.pdf') + `--${b}--\r\n`).slice(0, rng.int(5, 60));
        break;
      case 'headerless':
        body = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n`;
        break;
      case 'longBoundary': {
        const long = 'L'.repeat(rng.int(71, 400));
        contentType = `multipart/form-data; boundary=${long}`;
        body = `--${long}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\nx\r\n--${long}--\r\n`;
        break;
      }
      case 'emptyBoundary':
        contentType = 'multipart/form-data; boundary=';
        body = file('plan.pdf') + `--${b}--\r\n`;
        break;
      case 'wrongField':
        body = file('plan.pdf', 'attachment') + `--${b}--\r\n`;
        break;
      case 'twoFiles':
        body = file('a.pdf') + file('b.pdf') + `--${b}--\r\n`;
        break;
      case 'manyParts':
        body = Array.from({ length: rng.int(21, 60) }, (_, i) => `--${b}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('') + `--${b}--\r\n`;
        break;
      case 'closeOnly':
        body = `--${b}--\r\n`;
        break;
      case 'docx':
        // A valid upload now and then (an office document: no thumbnail to render).
        body = file('note.docx', 'file', 'PK\x03\x04' + 'x'.repeat(200)) + `--${b}--\r\n`;
        break;
      case 'html':
        body = file('report.pdf', 'file', '<!DOCTYPE html><script>alert(1)</script>') + `--${b}--\r\n`;
        break;
    }
    request.headers['content-type'] = contentType;
    request.payload = Buffer.from(body, 'latin1');
  }

  /** A value valid for the schema (as far as this simple reading goes). */
  #value(schema: JsonSchema, depth: number): unknown {
    const rng = this.rng;
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return rng.pick(schema.enum);
    if (schema.anyOf) return this.#value(rng.pick(schema.anyOf), depth);
    switch (schema.type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [key, sub] of Object.entries(schema.properties ?? {})) {
          if ((schema.required ?? []).includes(key) || rng.bool(0.5)) out[key] = this.#value(sub, depth + 1);
        }
        return out;
      }
      case 'array':
        return Array.from({ length: rng.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)) }, () => this.#value(schema.items ?? {}, depth + 1));
      case 'integer':
        return rng.int(schema.minimum ?? 0, Math.min(schema.maximum ?? 1000, (schema.minimum ?? 0) + 100_000));
      case 'number':
        return rng.float() * 1000;
      case 'boolean':
        return rng.bool();
      case 'string':
        return this.#string(schema);
      default:
        return null;
    }
  }

  #string(schema: JsonSchema): string {
    const min = schema.minLength ?? 0;
    const max = Math.min(schema.maxLength ?? 32, 64);
    const length = this.rng.int(Math.max(min, 1), Math.max(min, max, 1));
    if (schema.pattern?.startsWith('^[0-9]')) return `${this.rng.int(1, 1e9)}-${this.rng.int(0, 9)}`;
    return schema.pattern ? this.#idChars(length) : this.#idChars(length).replace(/_/g, ' ');
  }

  #idChars(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ID_CHARS[this.rng.int(0, ID_CHARS.length - 1)];
    return out;
  }

  /** The value with one thing wrong: a bound passed, a type changed, a field missing or extra. */
  #mutate(value: unknown, schema: JsonSchema | undefined): unknown {
    const rng = this.rng;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return rng.pick([null, 1, 'x', [], {}]);
    const out = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(schema?.properties ?? out);
    const key = keys.length > 0 ? rng.pick(keys) : 'x';
    const sub = schema?.properties?.[key] ?? {};
    switch (rng.weighted({ past: 4, at: 2, type: 3, drop: 2, extra: 2, long: 1, control: 1 })) {
      case 'past':
        out[key] = sub.type === 'integer' || sub.type === 'number' ? (sub.maximum ?? 1e9) + 1 : this.#idChars((sub.maxLength ?? 64) + 1);
        break;
      case 'at':
        out[key] = sub.type === 'integer' || sub.type === 'number' ? (sub.maximum ?? 0) : this.#idChars(sub.maxLength ?? 64);
        break;
      case 'type':
        out[key] = rng.pick([null, 12, 'x', true, [], {}, -1, 1.5]);
        break;
      case 'drop':
        delete out[key];
        break;
      case 'extra':
        out[rng.pick(['extra', '__proto__', 'constructor', ''])] = 1;
        break;
      case 'long':
        out[key] = 'é'.repeat(1000);
        break;
      case 'control':
        out[key] = 'a\u0000b\u2028c\n';
        break;
    }
    return out;
  }
}
