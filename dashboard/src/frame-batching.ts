import { ApolloLink, type ApolloCache } from '@apollo/client';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { Observable } from 'rxjs';

/** Least time between two deliveries: 10 a second are as live as a person can tell, and each walks every cache watcher. */
export const BATCH_INTERVAL_MS = 100;
/** Longest a batch waits for its animation frame once due: a hidden tab has no frames, only (throttled) timers. */
export const NO_FRAME_DELAY_MS = 100;

/**
 * Delivers subscription events in batches: all the events that arrived since the last delivery, in one cache
 * transaction, at the first animation frame at least {@link BATCH_INTERVAL_MS} after the last delivery.
 *
 * Why: each event written to Apollo's cache on its own makes the cache walk every watcher (one per row of the
 * stock table: 500 of them, 3 to 5 ms a walk on our 2-core machine) and React render once. At 50 events a second
 * that is a quarter of a core, and when the page falls behind (a busy machine, a burst), WebSocket messages
 * queue up and each paid it again: six or nine back to back made frames of 100 ms and more. Batched, the events
 * are written inside one `cache.batch`, which broadcasts once at its end, and React renders once.
 *
 * Events keep their order (errors and completion too); none waits more than about {@link BATCH_INTERVAL_MS} plus
 * a frame ({@link NO_FRAME_DELAY_MS} without frames).
 */
export function createFrameBatchingLink(cache: ApolloCache): ApolloLink {
  const pending: Array<() => void> = [];
  let scheduled = false;
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastDeliveryAt = -Infinity;

  const flush = () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = timer = undefined;
    scheduled = false;
    lastDeliveryAt = performance.now();
    const deliveries = pending.splice(0);
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
    if (scheduled) return;
    scheduled = true;
    timer = setTimeout(
      () => {
        frame = requestAnimationFrame(flush);
        timer = setTimeout(flush, NO_FRAME_DELAY_MS);
      },
      Math.max(0, lastDeliveryAt + BATCH_INTERVAL_MS - performance.now()),
    );
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
