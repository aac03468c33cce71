/** Waits on a condition, bounded: the way tests wait (never on a sleep alone). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; stepMs?: number; detail?: () => unknown } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${options.detail ? `: ${JSON.stringify(options.detail())}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.stepMs ?? 50));
  }
}
