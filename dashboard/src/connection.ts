/** The live link's state as the header shows it. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Why the page refetched what it shows: the socket came back, or an event's version skipped some. */
export type ResyncCause = 'reconnected' | 'version-gap';

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** The last catch-up, shown as "caught up after …" until the next one. */
  lastResync: { cause: ResyncCause; at: Date } | null;
}

/**
 * The WebSocket's state and the catch-up events, outside React (graphql-ws reports them from its own callbacks);
 * components read it with useSyncExternalStore, the stock table refetches on `onResync`.
 */
export class ConnectionStatus {
  private snapshot: ConnectionSnapshot = { state: 'connecting', lastResync: null };
  private readonly listeners = new Set<() => void>();
  private readonly resyncListeners = new Set<(cause: ResyncCause) => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): ConnectionSnapshot => this.snapshot;

  set(state: ConnectionState): void {
    if (state === this.snapshot.state) return;
    this.update({ ...this.snapshot, state });
  }

  /** Asks every view to refetch, and remembers why. */
  resync(cause: ResyncCause): void {
    this.update({ ...this.snapshot, lastResync: { cause, at: new Date() } });
    for (const listener of this.resyncListeners) listener(cause);
  }

  onResync(listener: (cause: ResyncCause) => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private update(snapshot: ConnectionSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener();
  }
}
