import { ApolloLink, type ApolloCache } from '@apollo/client';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { Observable } from 'rxjs';

/** Least time between two deliveries: 10 a second are as live as a person can tell, and each walks every cache watcher. */
export const BATCH_INTERVAL_MS = 100;
/** Longest a batch waits for its animation frame once due: a hidden tab has no frames, only (throttled) timers. */
export const NO_FRAME_DELAY_MS = 100;
/**
 * Most events delivered in one frame. At 50 events a second a delivery holds about 5; a page that fell behind (a
 * busy machine, a burst, a tab back from the background) holds many more, each of which writes the cache and
 * renders a row: the rest wait for the next frames, one delivery a frame, instead of making one long frame.
 */
export const MAX_EVENTS_PER_FRAME = 10;

/**
 * Delivers subscription events in batches: the events that arrived since the last delivery (at most
 * {@link MAX_EVENTS_PER_FRAME}; any more at the next frames), in one cache transaction, at the first animation
 * frame at least {@link BATCH_INTERVAL_MS} after the last delivery.
 *
 * Why: each event written to Apollo's cache on its own makes the cache walk every watcher and React render once.
 * When the stock table had one watcher per row (500, 3 to 5 ms a walk on our 2-core machine), that was a quarter
 * of a core at 50 events a second, and when the page fell behind (a busy machine, a burst), WebSocket messages
 * queued up and each paid it again: six or nine back to back made frames of 100 ms and more. Batched, the events
 * are written inside one `cache.batch`, which broadcasts once at its end, and React renders once.
 *
 * Events keep their order (errors and completion too); none waits more than about {@link BATCH_INTERVAL_MS} plus
 * a frame ({@link NO_FRAME_DELAY_MS} without frames), unless more than {@link MAX_EVENTS_PER_FRAME} are waiting:
 * then one more frame for each such many.
 */
export function createFrameBatchingLink(cache: ApolloCache): ApolloLink {
  const pending: Array<() => void> = [];
  let scheduled = false;
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastDeliveryAt = -Infinity;

  /** The next delivery: at the first animation frame after `delayMs` (or {@link NO_FRAME_DELAY_MS} later without frames). */
  const schedule = (delayMs: number) => {
    scheduled = true;
    const atFrame = () => {
      frame = requestAnimationFrame(flush);
      timer = setTimeout(flush, NO_FRAME_DELAY_MS);
    };
    if (delayMs > 0) timer = setTimeout(atFrame, delayMs);
    else atFrame();
  };

  const flush = () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = timer = undefined;
    scheduled = false;
    lastDeliveryAt = performance.now();
    const deliveries = pending.splice(0, MAX_EVENTS_PER_FRAME);
    // A backlog: the rest at the next frame, without waiting for the interval.
    if (pending.length) schedule(0);
    cache.batch({
      update: () => {
        for (const deliver of deliveries) {
          try {
            deliver();
          } catch (error) {
            // One subscriber's failure must not drop the others' events; it still surfaces as a page error.
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      },
    });
  };

  const defer = (deliver: () => void) => {
    pending.push(deliver);
    if (!scheduled) schedule(lastDeliveryAt + BATCH_INTERVAL_MS - performance.now());
  };

  return new ApolloLink((operation, forward) => {
    if (!isSubscriptionOperation(operation.query)) return forward(operation);
    return new Observable((observer) => {
      const subscription = forward(operation).subscribe({
        next: (result) => defer(() => observer.next(result)),
        error: (error: unknown) => defer(() => observer.error(error)),
        complete: () => defer(() => observer.complete()),
      });
      return () => subscription.unsubscribe();
    });
  });
}
