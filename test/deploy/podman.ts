/**
 * podman for the deployment test: every call goes through the test's own
 * containers.conf (runc, no default ulimits; /etc is left alone), and a
 * failing command throws with its output.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTAINERS_CONF = join(dirname(fileURLToPath(import.meta.url)), 'containers.conf');

/** The environment of podman and podman-compose: the test's containers.conf. */
export function podmanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF, ...extra };
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Fed to the command's stdin. */
  input?: string | Buffer;
  /** Kill the command after this long (default 10 min). */
  timeoutMs?: number;
  /** Exit codes that are not failures (default [0]). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; throws (with its output's tail) on an exit code not in okCodes. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? podmanEnv(),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if ((options.okCodes ?? [0]).includes(result.code)) resolve(result);
      else {
        const tail = (stdout + stderr).split('\n').slice(-40).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${tail}`));
      }
    });
  });
}

export function podman(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('podman', args, { ...options, env: options.env ?? podmanEnv() });
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await podman(['image', 'exists', tag], { okCodes: [0, 1] })).code === 0;
}
