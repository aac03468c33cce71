/**
 * Synchronous clean-up that must happen however a benchmark ends: normal
 * exit, an uncaught error, Ctrl-C or SIGTERM. The namespace and the servers
 * a benchmark starts register here, so that none outlives the run (a Janus
 * left running, a namespace left behind).
 */

const actions = new Set<() => void>();
let hooked = false;

function runAll(): void {
  for (const action of [...actions].reverse()) {
    try {
      action();
    } catch {
      // best effort: the others still run
    }
  }
  actions.clear();
}

/** Registers `action` (synchronous); returns its removal, for a normal stop that already cleaned up. */
export function atExit(action: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', runAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        runAll();
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
      });
    }
  }
  actions.add(action);
  return () => {
    actions.delete(action);
  };
}

/** SIGKILL to a process if it still runs (exit clean-up: nothing asynchronous is possible there). */
export function killNow(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
