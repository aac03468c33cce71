/**
 * The network namespace a side-by-side benchmark puts its SFUs in.
 *
 *   root namespace                              namespace <name>
 *   Chromium, bots, Redis (unix socket)         Chantier (HTTP, WebSocket, mediasoup)
 *   <rootIf> hostIp  <──── veth pair ────>  <nsIf> nsIp   Janus (HTTP, WebSocket, ICE)
 *
 * Why: Janus never gathers 127.0.0.1 as a candidate (libnice skips
 * loopback), so it needs a real interface; the only one a benchmark may use
 * is one it makes itself. Both SFUs run inside the namespace, bound to nsIp,
 * so every client reaches both the same way: over the veth pair, a kernel
 * path with no emulation (no rate, delay or loss), unlike test/netlab's TUN
 * link whose user-space emulator would cost CPU and latency per packet.
 * Inside the namespace there is only `lo` and the veth end and no default
 * route: whatever the SFUs gather or send can only reach the root side.
 *
 * Addresses: a free /30 of 10.213.0.0/16. Names carry the run's pid, so that
 * concurrent runs never collide; a namespace whose run died is removed by
 * the next run (`removeLeftoverNamespaces`), and an exit, Ctrl-C or SIGTERM
 * of this process removes its own. Deleting the namespace deletes the veth
 * pair with it. Needs root and `ip` (iproute2).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { atExit } from './cleanup.js';
import { removeOrphanNamespaces } from '../../../test/netlab/leftovers.js';

const run = promisify(execFile);
const NS_PREFIX = 'chbn-';

export interface BenchNetns {
  /** Namespace name, for `ip netns exec <name> …` (see `wrap`). */
  name: string;
  /** The root side's address: what the SFUs see clients come from. */
  hostIp: string;
  /** The namespace side's address: the SFUs listen here. */
  nsIp: string;
  /** The root side's interface. */
  hostIf: string;
  /** [command, args] that run `command args` inside the namespace (ip netns exec keeps the pid: it execs). */
  wrap(command: string, args: string[]): [string, string[]];
  /** Deletes the namespace (and the veth pair). Idempotent. */
  close(): Promise<void>;
}

let made = 0;

function deleteNow(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // already gone
  }
}

/** Deletes namespaces of this prefix whose run (the pid in the name) is gone. */
export function removeLeftoverNamespaces(): Promise<string[]> {
  return removeOrphanNamespaces(NS_PREFIX);
}

/** A /30 of 10.213.0.0/16 that no interface uses yet, starting from the pid so that concurrent runs differ. */
export function pickBlock(usedAddresses: string, pid: number, attempt: number): { hostIp: string; nsIp: string } {
  const blocks = 65_536 / 4;
  const first = (pid * 7 + attempt * 131) % blocks;
  for (let i = 0; i < blocks; i++) {
    const offset = ((first + i) % blocks) * 4;
    const hostIp = `10.213.${offset >> 8}.${(offset & 255) + 1}`;
    const nsIp = `10.213.${offset >> 8}.${(offset & 255) + 2}`;
    if (!usedAddresses.includes(` ${hostIp}/`) && !usedAddresses.includes(` ${nsIp}/`)) return { hostIp, nsIp };
  }
  throw new Error('no free /30 in 10.213.0.0/16');
}

export async function createBenchNetns(): Promise<BenchNetns> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark namespace needs root (ip netns, veth)');
  await removeLeftoverNamespaces();
  const n = ++made;
  const name = `${NS_PREFIX}${process.pid}-${n}`;
  const hostIf = `cbh${process.pid}x${n}`;
  const nsIf = `cbn${process.pid}x${n}`;
  if (hostIf.length > 15) throw new Error(`interface name too long: ${hostIf}`);
  const { stdout: used } = await run('ip', ['-o', '-4', 'addr', 'show']);
  const { hostIp, nsIp } = pickBlock(used, process.pid, n);
  let closed = false;
  const forget = atExit(() => deleteNow(name));
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    forget();
    await run('ip', ['netns', 'del', name]).catch(() => {});
    // The root end goes with its peer; if the pair never reached the namespace, remove it here.
    await run('ip', ['link', 'del', hostIf]).catch(() => {});
  };
  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await run('ip', ['link', 'set', nsIf, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await run('ip', ['link', 'set', hostIf, 'up']);
    await run('ip', ['-n', name, 'addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    await run('ip', ['-n', name, 'link', 'set', nsIf, 'up']);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    name,
    hostIp,
    nsIp,
    hostIf,
    wrap: (command, args) => ['ip', ['netns', 'exec', name, command, ...args]],
    close,
  };
}
