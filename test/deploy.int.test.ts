/**
 * The deployment files are checked without a Docker engine (none runs here):
 * Debian's docker-compose 1.29 parses and validates the compose file, and the
 * Dockerfile builds the worker with the very script the set-up step runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const env = { ...process.env, RTC_ANNOUNCED_ADDRESS: '203.0.113.5', JWT_SECRET: 'x'.repeat(40) };

describe('deployment files', () => {
  it('docker-compose.yml is valid for docker-compose', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const config = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { env, encoding: 'utf8' });
    expect(config).toContain('REDIS_URL: redis://redis:6379');
    expect(config).toContain('appendonly');
  });

  it('refuses to deploy without the required secrets', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      env: { ...process.env, RTC_ANNOUNCED_ADDRESS: '', JWT_SECRET: '' },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/RTC_ANNOUNCED_ADDRESS|JWT_SECRET/);
  });

  it('the Dockerfile builds the worker with the set-up script', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toContain('bash sfu/scripts/build-worker.sh');
    const setup = readFileSync('scripts/setup.sh', 'utf8');
    expect(setup).toContain('bash sfu/scripts/build-worker.sh');
  });
});
