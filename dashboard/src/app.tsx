import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { createDashboardClient, type DashboardClient } from './apollo';
import { ConnectionStatus } from './connection';
import { ConnectionBadge } from './components/connection-badge';
import { OrdersPanel } from './components/orders-panel';
import { ShopPicker } from './components/shop-picker';
import { SignIn } from './components/sign-in';
import { StockPanel } from './components/stock-panel';
import type { Session, SignedInUser } from './session';

/** The page: the sign-in form, or the signed-in dashboard with its own Apollo Client. */
export function App({ session }: { session: Session }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  if (state.kind === 'restoring') return <main className="centered" aria-busy="true">Loading…</main>;
  if (state.kind === 'signedOut') return <SignIn session={session} reason={state.reason} />;
  return <SignedIn session={session} user={state.user} />;
}

/** One Apollo Client and one socket per signed-in user, rebuilt when the server refused the socket's token. */
function SignedIn({ session, user }: { session: Session; user: SignedInUser }) {
  const [connection] = useState(() => new ConnectionStatus());
  const [generation, setGeneration] = useState(0);
  const [dashboard, setDashboard] = useState<DashboardClient | null>(null);
  useEffect(() => {
    const created = createDashboardClient({ session, connection, onSocketRefused: () => setGeneration((g) => g + 1) });
    setDashboard(created);
    return () => created.dispose();
  }, [session, connection, user.id, generation]);

  // Back to a tab left open: the account may have changed meanwhile (a role change reaches an idle page only so).
  useEffect(() => {
    const recheck = () => {
      if (document.visibilityState === 'visible') void session.recheck();
    };
    document.addEventListener('visibilitychange', recheck);
    return () => document.removeEventListener('visibilitychange', recheck);
  }, [session]);

  if (!dashboard) return null;
  return (
    <ApolloProvider client={dashboard.client}>
      <header className="topbar">
        <h1>Atelier dashboard</h1>
        <ConnectionBadge connection={connection} />
        <span className="who">
          {user.email} · {user.role.toLowerCase()}
        </span>
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      {user.role === 'ARTISAN' ? <ArtisanView user={user} connection={connection} /> : <ShopPicker connection={connection} />}
    </ApolloProvider>
  );
}

function ArtisanView({ user, connection }: { user: SignedInUser; connection: ConnectionStatus }) {
  if (!user.shop) return <main className="centered">You have no shop yet: open one in the storefront, then come back.</main>;
  return (
    <main className="layout">
      <StockPanel slug={user.shop.slug} readOnly={false} connection={connection} />
      <OrdersPanel connection={connection} />
    </main>
  );
}
