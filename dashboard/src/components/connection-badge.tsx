import { useSyncExternalStore } from 'react';
import type { ConnectionState, ConnectionStatus } from '../connection';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The socket's state, and the last catch-up (announced to screen readers as it changes). */
export function ConnectionBadge({ connection }: { connection: ConnectionStatus }) {
  const { state, lastResync } = useSyncExternalStore(connection.subscribe, connection.getSnapshot);
  return (
    <span className="connection" role="status" aria-live="polite">
      <span className={`badge badge-${state}`} data-testid="connection-state" data-state={state}>
        {LABELS[state]}
      </span>
      <span className="resync" data-testid="resync">
        {lastResync
          ? `${lastResync.cause === 'reconnected' ? 'Reconnected' : 'Missed an update'}: refreshed at ${lastResync.at.toLocaleTimeString()}`
          : ''}
      </span>
    </span>
  );
}
