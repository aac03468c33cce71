import { it } from 'vitest';
import { startTestApp } from '../../test/app.js';
import { captureLog } from '../../test/logCapture.js';

it('probe', async () => {
  const log = captureLog();
  const t = await startTestApp({ LOG_LEVEL: process.env.LL ?? 'trace', HTTP_REQUESTS_PER_MINUTE: '1000000' }, undefined, { logStream: log.stream });
  const owner = { authorization: `Bearer ${await t.token({ projectId: 'p1', role: 'owner' })}` };
  const d = 20000;
  const cases: [string, any][] = [
    ['healthz', { method: 'GET', url: '/healthz' }],
    ['healthz-auth', { method: 'GET', url: '/healthz', headers: owner }],
    ['project', { method: 'GET', url: '/api/projects/p1', headers: owner }],
    ['deep', { method: 'POST', url: '/api/projects', headers: { ...owner, 'content-type': 'application/json' }, payload: '['.repeat(d) + ']'.repeat(d) }],
    ['deepobj', { method: 'POST', url: '/api/projects', headers: { ...owner, 'content-type': 'application/json' }, payload: '{"a":'.repeat(d) + '1' + '}'.repeat(d) }],
    ['map', { method: 'GET', url: '/favicon.svg' }],
    ['404', { method: 'GET', url: '/nope' }],
    ['405', { method: 'DELETE', url: '/healthz' }],
    ['ws', { method: 'GET', url: '/ws' }],
    ['longparam', { method: 'GET', url: '/api/projects/' + 'a'.repeat(20000), headers: owner }],
  ];
  for (const [name, opts] of cases) {
    const t0 = performance.now();
    let r;
    for (let i = 0; i < 20; i++) r = await t.app.inject(opts);
    console.log(name, ((performance.now() - t0) / 20).toFixed(2), 'ms', r!.statusCode, r!.headers['content-type'], r!.body.slice(0, 100));
  }
  await t.close();
}, 120000);
