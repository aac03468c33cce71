/**
 * Waits for the rest of the machine to be nearly idle before a measured run
 * (another test run, a build), bounded: two cores make a disturbed run
 * noisy. Reads /proc through ../cpu.ts.
 */
import { machineBusySeconds, treeCpuSeconds } from '../cpu.js';
import { sleep } from '../stats.js';

/**
 * Waits until the machine outside this process uses less than `quietCpu`
 * (cores), or `waitMs` has passed; returns how busy it was (cores).
 */
export async function waitForQuiet(quietCpu: number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const machine = machineBusySeconds();
    const self = treeCpuSeconds(process.pid);
    await sleep(3_000);
    const other = (machineBusySeconds() - machine - (treeCpuSeconds(process.pid) - self)) / 3;
    if (other < quietCpu || Date.now() > deadline) return other;
    process.stderr.write(`[bench] the machine is busy (${Math.round(other * 100)} % of a core outside the benchmark), waiting\n`);
  }
}
