/**
 * Node's own flags for the server process, wherever production's command is
 * spelt out: package.json's `start`, the Dockerfile's CMD (both checked
 * against this list by nodeFlags.test.ts), and the launchers that run the
 * server as its own process (test/serverProcess.ts, scripts/bench/lib/chantier.ts).
 *
 * --max-semi-space-size=MB caps V8's young generation (two semi-spaces of at
 * most this many MB; 16 by default on 64-bit). V8 grows it to the cap while
 * modules load and keeps it: 32 MB of RSS, empty, with nobody connected.
 * Measured against the default in scripts/bench/README.md ("Memory"), with
 * what the smaller young generation costs the chat (more scavenges).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
