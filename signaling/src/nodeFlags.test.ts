import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './nodeFlags.js';

const root = new URL('../../', import.meta.url);

describe('SERVER_NODE_FLAGS', () => {
  it("are in npm start's command and the image's CMD, before the script", () => {
    const start = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} --conditions=chantier-build signaling/build/server.js`);
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    // The image gives every node run --conditions=chantier-build through NODE_OPTIONS (coturn's command too).
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...SERVER_NODE_FLAGS, 'signaling/build/server.js']);
    expect(dockerfile).toMatch(/^ENV .*NODE_OPTIONS=--conditions=chantier-build/m);
  });
});
