/**
 * The house rule: layers import only downward, so there is no import cycle in
 * the server, the SFU or the client. madge builds the import graph (import
 * type included: a cycle of types is a tangle of layers all the same), and
 * the test fails naming every cycle it finds.
 *
 * One tangle is known and allowed, in KNOWN_TANGLES with why: an import that
 * closes cycles, and the only files those cycles may pass through. The test
 * fails too once that import is gone, so that the allowance goes with it.
 */
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TREES = ['signaling/src', 'sfu/src', 'client/src'];

interface Tangle {
  /** The import (from, to) allowed to close a cycle... */
  edge: [string, string];
  /** ...as long as every file on such a cycle matches this. */
  files: RegExp;
}

const KNOWN_TANGLES: Tangle[] = [
  // A session knows its room (session.room, read by every handler) and a room holds its sessions
  // (rooms/Room.ts, RoomEntry, RoomLobby, MeetingRecords, peerInfo, joinConsumers): cutting it
  // takes rooms/ made generic over the session, or a Session without a typed room.
  { edge: ['signaling/src/ws/Session.ts', 'signaling/src/rooms/Room.ts'], files: /^signaling\/src\/(rooms\/[^/]+|ws\/Session)\.ts$/ },
];

/** The files reachable from `start` (itself included) along `imports`. */
function reachable(imports: Record<string, string[]>, start: string): Set<string> {
  const seen = new Set([start]);
  for (const file of seen) for (const target of imports[file] ?? []) seen.add(target);
  return seen;
}

/** `imports` with every edge turned around. */
function reversed(imports: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [from, targets] of Object.entries(imports)) for (const to of targets) (out[to] ??= []).push(from);
  return out;
}

/** ~12-25 s on this 2-core machine for the three trees (some 630 files parsed). */
const BUILD_TIMEOUT_MS = 120_000;

describe('imports', () => {
  it(
    'form no cycle in signaling/src, sfu/src and client/src',
    async () => {
      const graph = await madge(TREES, {
        baseDir: ROOT,
        fileExtensions: ['ts', 'tsx'],
        tsConfig: `${ROOT}tsconfig.json`,
        // The default, said out loud: `import type` counts.
        detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
      });
      const imports = graph.obj();
      expect(Object.keys(imports).length, 'files found (a wrong baseDir finds none)').toBeGreaterThan(300);
      for (const { edge: [from, to], files } of KNOWN_TANGLES) {
        expect(imports[from], `${from} no longer imports ${to}: remove it from KNOWN_TANGLES`).toContain(to);
        // The cycles through from > to are to ⇝ from: the files reached from `to` that reach `from`.
        const reachesFrom = reachable(reversed(imports), from);
        const onCycles = [...reachable(imports, to)].filter((file) => reachesFrom.has(file));
        expect.soft(onCycles.filter((file) => !files.test(file)), `files on a cycle through ${from} > ${to}`).toEqual([]);
      }
      const pruned: Record<string, string[]> = {};
      for (const [from, targets] of Object.entries(imports)) {
        pruned[from] = targets.filter((to) => !KNOWN_TANGLES.some(({ edge }) => edge[0] === from && edge[1] === to));
      }
      // madge reports at least one cycle through each tangle, not every cycle: none left means none.
      const cycles = (await madge(pruned)).circular().map((cycle) => cycle.join(' > '));
      expect(cycles, 'import cycles (break them the way the layers go: see STYLE.md)').toEqual([]);
    },
    BUILD_TIMEOUT_MS,
  );
});
