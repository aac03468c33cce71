/**
 * A firewall inside a net lab's namespace that drops every UDP packet, both
 * ways, as on a site network that lets only TCP out: an nftables table of
 * the namespace's own (it goes away with the namespace, so a lab's close, or
 * removeLeftovers after a killed run, removes it too). Locally sent UDP then
 * fails at once (EPERM); UDP from outside is dropped silently. Each rule
 * counts what it dropped, so a test can show that the firewall was hit.
 * Needs `nft` (Debian's nftables package; scripts/setup.sh installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { NetLab } from './netlab.js';

/** The table's name inside the namespace. */
export const FIREWALL_TABLE = 'chantier_fw';
const NFT_TIMEOUT_MS = 5_000;

type Lab = Pick<NetLab, 'nsName'>;

export interface UdpDrops {
  /** UDP packets sent from the namespace and dropped. */
  out: number;
  /** UDP packets sent to the namespace and dropped. */
  in: number;
}

/** The nft binary, or a clear error: root's PATH may lack /usr/sbin, so look there too. */
export function nftPath(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, 'nft'))) return join(dir, 'nft');
  }
  throw new Error('nft not found: the UDP firewall of the net lab needs nftables (apt-get install nftables; scripts/setup.sh installs it)');
}

/** Runs `nft <args>` inside the lab's namespace, `input` on its stdin. */
function nft(lab: Lab, args: string[], input = ''): Promise<string> {
  const bin = nftPath();
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      ['netns', 'exec', lab.nsName, bin, ...args],
      { timeout: NFT_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`nft ${args.join(' ')} in ${lab.nsName}: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    // nft may exit before reading its stdin (a command that takes none, or an
    // early error): the write then fails with EPIPE, which must not become an
    // uncaught exception; the exit status above reports what happened.
    child.stdin?.on('error', () => undefined);
    if (input) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/**
 * One nft batch, applied atomically: declaring the table first makes the
 * delete succeed whether or not it existed, so both calls are idempotent.
 * One statement per line inside a chain block (nft's file syntax).
 */
const RESET = `table inet ${FIREWALL_TABLE} {}\ndelete table inet ${FIREWALL_TABLE}\n`;
const BLOCK_UDP = `${RESET}table inet ${FIREWALL_TABLE} {
  chain out {
    type filter hook output priority 0;
    meta l4proto udp counter drop
  }
  chain in {
    type filter hook input priority 0;
    meta l4proto udp counter drop
  }
}
`;

/** From now on, the namespace neither sends nor receives UDP. Idempotent (counters restart at 0). */
export async function blockUdp(lab: Lab): Promise<void> {
  await nft(lab, ['-f', '-'], BLOCK_UDP);
}

/** Removes the firewall. Idempotent. */
export async function unblockUdp(lab: Lab): Promise<void> {
  await nft(lab, ['-f', '-'], RESET);
}

/** What the firewall dropped so far; null when it is not installed. */
export async function udpDrops(lab: Lab): Promise<UdpDrops | null> {
  const listing = JSON.parse(await nft(lab, ['-j', 'list', 'tables'])) as { nftables: Array<Record<string, { name?: string }>> };
  if (!listing.nftables.some((entry) => entry.table?.name === FIREWALL_TABLE)) return null;
  const json = JSON.parse(await nft(lab, ['-j', 'list', 'table', 'inet', FIREWALL_TABLE])) as {
    nftables: Array<{ rule?: { chain: string; expr: Array<{ counter?: { packets: number } }> } }>;
  };
  const drops: UdpDrops = { out: 0, in: 0 };
  for (const entry of json.nftables) {
    const rule = entry.rule;
    if (!rule || (rule.chain !== 'out' && rule.chain !== 'in')) continue;
    for (const expr of rule.expr) drops[rule.chain] += expr.counter?.packets ?? 0;
  }
  return drops;
}
