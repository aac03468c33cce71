/**
 * Network namespaces named `<prefix><pid>-<n>` belong to the run of process
 * <pid>; a run killed before its clean-up leaves them behind. Shared by the
 * net lab of the tests (netlab.ts) and the benchmarks' namespace
 * (scripts/bench/lib/netns.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the namespaces of `prefix` whose run (the pid in the name) is gone; returns their names. */
export async function removeOrphanNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'netns', 'list']);
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-\\d+$`);
  const removed: string[] = [];
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = pattern.exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    await run('ip', ['netns', 'del', name]).catch(() => {});
    removed.push(name);
  }
  return removed;
}
