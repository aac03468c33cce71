/**
 * Node's own flags for the server process, wherever production's command is
 * spelt out: package.json's `start`, the Dockerfile's CMD (both checked
 * against this list by nodeFlags.test.ts), and the launchers that run the
 * server as its own process (test/serverProcess.ts, scripts/bench/lib/chantier.ts).
 *
 * --max-semi-space-size=4 caps V8's young generation at two semi-spaces of
 * 4 MB (16 each by default on 64-bit). V8 grows it to the cap while modules
 * load and keeps it: with the default, 32 MB of RSS, empty, with nobody
 * connected. Signaling bench, same run, shared machine (scripts/bench/README.md,
 * "Node flags"): idle 88.9 MB, paced chat p99 9.3 ms, 151k deliveries/s at
 * most; 2 MB cut the idle further but promoted so much that the chat lost a
 * quarter of its throughput, its p99 doubled and a joined client cost 114 KB
 * (73 with the default); 8 MB was no better than 4 on any figure.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
