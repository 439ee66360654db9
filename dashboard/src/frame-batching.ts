import { ApolloLink, type ApolloCache } from '@apollo/client';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { Observable } from 'rxjs';

/** Longest a subscription event waits for the next frame: a hidden tab has no frames, only (throttled) timers. */
export const FRAME_BATCH_MAX_DELAY_MS = 100;

/**
 * Delivers subscription events once per frame, all of a frame's events in one cache transaction.
 *
 * Why: each event written to Apollo's cache on its own makes the cache walk every watcher (one per row of the
 * stock table: 500 of them, about 3 ms a walk on our 2-core machine) and React render once. When the page falls
 * behind (a busy machine, a burst of events), WebSocket messages queue up and each one paid that again, so that
 * six or nine of them ran back to back in one frame of 100 ms or more. Batched, the events that arrived before a
 * frame are written inside one `cache.batch`, which broadcasts once at its end, and React renders once.
 *
 * Events keep their order (errors and completion too); an event waits at most until the next animation frame,
 * or {@link FRAME_BATCH_MAX_DELAY_MS} when no frame comes.
 */
export function createFrameBatchingLink(cache: ApolloCache): ApolloLink {
  const pending: Array<() => void> = [];
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = timer = undefined;
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
    if (frame !== undefined) return;
    frame = requestAnimationFrame(flush);
    timer = setTimeout(flush, FRAME_BATCH_MAX_DELAY_MS);
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
