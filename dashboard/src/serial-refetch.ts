/**
 * A refetch that never answers with data older than the last call asked for.
 *
 * Why: a list refetched because an event named an order it did not hold can be answered with what the database
 * held before a later change (the order turning PAID a few milliseconds after it was created). When that later
 * change's event reaches the cache while the refetch is in flight, the refetch's older answer lands after it and
 * overwrites it; and a second `refetch()` at that moment does not help, since Apollo joins it to the identical
 * request already in flight. So a call made while one is in flight asks for one more refetch once it has
 * answered: however many calls come in meanwhile, one more request, sent after the last of them.
 */
export interface SerialRefetch {
  /** Refetches now, or once more after the refetch in flight has answered. */
  refetch(): void;
  /** Refetches once more after the refetch in flight, if there is one: a change just written to the cache must outlive it. */
  refetchIfInFlight(): void;
}

export function serialRefetch(refetch: () => Promise<unknown>): SerialRefetch {
  let inFlight = false;
  let again = false;
  const run = () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    again = false;
    void refetch()
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
        if (again) run();
      });
  };
  return {
    refetch: run,
    refetchIfInFlight: () => {
      if (inFlight) again = true;
    },
  };
}
