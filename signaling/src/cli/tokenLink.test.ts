import { describe, expect, it } from 'vitest';
import { verifyAccessToken } from '../auth/tokens.js';
import { mintTokenLink, parseTokenArgs, UsageError } from './tokenLink.js';

const config = { jwtSecret: 's'.repeat(40), jwt: { issuer: undefined, audience: undefined }, publicUrl: 'https://reunion.example.fr' } as const;

describe('token link', () => {
  it('puts --room in the token and links the meeting', async () => {
    const args = parseTokenArgs(['--project', 'demo', '--name', 'Léa', '--room', 'reunion', '--role', 'guest', '--ttl', '600']);
    expect(args).toMatchObject({ projectId: 'demo', roomId: 'reunion', role: 'guest', ttlSeconds: 600 });
    const { token, url } = await mintTokenLink(args, config as never);
    expect(url).toBe(`https://reunion.example.fr/p/demo/r/reunion#token=${token}`);
    expect(await verifyAccessToken(token, config.jwtSecret)).toMatchObject({ projectId: 'demo', roomId: 'reunion', role: 'guest' });
  });

  it('without --room, a project token and the project page', async () => {
    const { token, url } = await mintTokenLink(parseTokenArgs(['--project', 'demo', '--name', 'Léa']), config as never);
    expect(url).toBe(`https://reunion.example.fr/p/demo#token=${token}`);
    expect((await verifyAccessToken(token, config.jwtSecret)).roomId).toBeUndefined();
  });

  it.each([
    [[]],
    [['--project', 'demo']],
    [['--project', 'demo', '--name', 'Léa', '--room', '../x']],
    [['--project', 'demo', '--name', 'Léa', '--room', '']],
    [['--project', 'demo', '--name', 'Léa', '--room', 'r'.repeat(65)]],
    [['--project', 'de mo', '--name', 'Léa']],
    [['--project', 'demo', '--name', 'Léa', '--role', 'admin']],
    [['--project', 'demo', '--name', 'Léa', '--ttl', '-5']],
    [['--project', 'demo', '--name', 'Léa', '--ttl', '1e3']],
    [['--project', 'demo', '--name', 'Léa', '--user', 'u'.repeat(129)]],
    [['--project', 'demo', '--name', 'Léa', '--bogus']],
  ])('refuses %j with a usage error', (argv) => {
    expect(() => parseTokenArgs(argv)).toThrow(UsageError);
  });
});
