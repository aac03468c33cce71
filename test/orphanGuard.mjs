/**
 * Preloaded (`node --import`) into the server processes that tests start
 * (test/serverProcess.ts): when the test process that started this one is
 * gone (a vitest worker killed after a time-out, a test run interrupted), the
 * server sees it within a second and ends itself as on
 * SIGTERM, rather than running on as an orphan with its mediasoup workers (11
 * such servers were found running on a loaded machine, an hour after their
 * tests). Plain JavaScript: it runs before tsx is loaded.
 */
const parent = process.ppid;
/** process.ppid is read once at start: ask the system whether the parent still exists. */
function parentAlive() {
  try {
    process.kill(parent, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
const watch = setInterval(() => {
  if (parentAlive()) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
  // A server that does not finish its graceful stop in 15 s is ended.
  setTimeout(() => process.exit(1), 15_000).unref();
}, 1_000);
watch.unref();
