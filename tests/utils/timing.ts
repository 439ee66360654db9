/**
 * Resolves with what `start()` resolves to and how long it took, in ms; rejects once `hangAfterMs` have passed
 * (default 10 000), so that a hang fails the test with a message instead of its timeout.
 */
export async function timed<T>(start: () => Promise<T>, hangAfterMs = 10_000): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${hangAfterMs} ms`)), hangAfterMs);
  });
  try {
    const value = await Promise.race([start(), hang]);
    return { value, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
