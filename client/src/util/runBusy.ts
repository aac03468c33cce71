import type { Signal } from '@preact/signals';
import { errorCodeOf, type AppErrorCode } from '../errors';

/**
 * Runs one user action of a panel: `busy` while it runs, `error` cleared
 * first and set to the failure's code after. Resolves, never rejects.
 */
export async function runBusy(
  state: { busy: Signal<boolean>; error: Signal<AppErrorCode | null> },
  work: () => Promise<void>,
  onError: (error: unknown) => void,
): Promise<void> {
  state.busy.value = true;
  state.error.value = null;
  try {
    await work();
  } catch (error) {
    onError(error);
    state.error.value = errorCodeOf(error);
  } finally {
    state.busy.value = false;
  }
}
