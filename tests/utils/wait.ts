/** Polls `condition` every `intervalMs` until it holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what = 'a condition', intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
