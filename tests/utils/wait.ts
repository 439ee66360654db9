/**
 * Polls `condition` every `intervalMs` (default 50) until it holds; fails after `timeoutMs` with `what` in the
 * message. What tests wait for goes through here (or through the event itself): never a fixed delay.
 */
export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what = 'a condition', intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Lets `ms` of real time pass, for a test whose subject is time itself: a lease or a heartbeat's staleness, or a
 * periodic check (LIVE_RECONCILE_MS) that must have run and found nothing to send. `why` names it, for the reader
 * and the grep. Never to wait for something to happen: that is `waitFor`, or the event.
 */
export function passTime(ms: number, why: string): Promise<void> {
  void why;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
