import { LogInDocument, LogOutDocument, MeDocument, RefreshSessionWithCookieDocument, type Role } from './generated/graphql';
import { describeGraphqlError } from './errors';
import { postGraphql } from './graphql-http';

/** The roles this dashboard serves: an artisan watches and runs its shop, operators watch any shop read-only. */
const DASHBOARD_ROLES: readonly Role[] = ['ARTISAN', 'ADMIN', 'SUPPORT'];

/** Refresh this long before the access token expires, so that no request goes out with a dying token. */
const REFRESH_MARGIN_MS = 60_000;

export interface SignedInUser {
  id: string;
  email: string | null;
  role: Role;
  /** The artisan's shop; null for operators and for an artisan who has not opened one. */
  shop: { id: string; slug: string } | null;
}

export type SessionState =
  | { kind: 'restoring' }
  | { kind: 'signedOut'; reason: string | null }
  | { kind: 'signedIn'; user: SignedInUser };

/** Why the server ended a session, in words (shown on the sign-in page afterwards). */
export const SIGN_OUT_REASONS = {
  banned: 'You were signed out: your account has been banned.',
  demoted: 'You were signed out: your account is no longer an artisan’s or an operator’s.',
  ended: 'You were signed out: your session has ended (signed out elsewhere, or expired). Please sign in again.',
  notForThisRole: 'This dashboard is for artisans and operators; buyers shop on the storefront.',
} as const;

/**
 * The signed-in person. The access token lives in memory only (never in storage a script could leak); the refresh
 * token is an httpOnly cookie of the cookie transport that `RefreshSessionWithCookie` rotates, so a reload or a
 * new tab signs in again without a password. One refresh at a time: concurrent callers share it (the server
 * would answer them from its grace period anyway, but one request is cheaper).
 */
export class Session {
  private state: SessionState = { kind: 'restoring' };
  private readonly listeners = new Set<() => void>();
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<string> | null = null;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): SessionState => this.state;

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  /** At start: a session from the refresh cookie, if there is one. */
  async restore(): Promise<void> {
    try {
      await this.refresh();
      await this.loadUser();
    } catch {
      if (this.state.kind === 'restoring') this.setState({ kind: 'signedOut', reason: null });
    }
  }

  /** Signs in; throws an Error whose message says why in words. */
  async signIn(email: string, password: string): Promise<void> {
    const answer = await postGraphql(LogInDocument, { email, password });
    const payload = answer.data?.logIn;
    if (!payload) throw new Error(answer.errors?.[0] ? describeGraphqlError(answer.errors[0]) : 'Signing in failed.');
    this.accessToken = payload.accessToken;
    this.expiresAt = Date.parse(payload.accessTokenExpiresAt);
    await this.loadUser();
  }

  /** Signs out at the user's request: the server ends the session and clears the cookie. */
  async signOut(): Promise<void> {
    await this.end(null);
  }

  /**
   * Ends the session on the server's word (banned, demoted, session ended) and says why. Idempotent: the socket's
   * close and a failed request often report the same event.
   */
  async end(reason: string | null): Promise<void> {
    if (this.state.kind === 'signedOut') return;
    const token = this.accessToken;
    this.accessToken = null;
    this.expiresAt = 0;
    this.setState({ kind: 'signedOut', reason });
    // Best effort: a banned account's session is already dead on the server; the cookie is cleared either way.
    // The contract's LogOut: '' stands for the refresh cookie, which this page never sees.
    await postGraphql(LogOutDocument, { refreshToken: '' }, token ?? undefined).catch(() => undefined);
  }

  /** A usable access token, refreshed first when it is about to expire (`force`: refresh whatever its age). */
  async getAccessToken(options: { force?: boolean } = {}): Promise<string> {
    if (!options.force && this.accessToken && this.expiresAt - Date.now() > REFRESH_MARGIN_MS) return this.accessToken;
    return this.refresh();
  }

  /**
   * Re-reads the account after the server refused something or ended a subscription: a ban or a role change signs
   * out with its reason; anything else (a passing network fault) leaves the session alone.
   */
  async recheck(): Promise<void> {
    if (this.state.kind !== 'signedIn') return;
    await this.loadUser().catch(() => undefined);
  }

  private refresh(): Promise<string> {
    this.refreshing ??= (async () => {
      try {
        const answer = await postGraphql(RefreshSessionWithCookieDocument, {});
        const payload = answer.data?.refreshSession;
        if (!payload) {
          const error = answer.errors?.[0];
          const banned = (error?.extensions as { reason?: string } | undefined)?.reason === 'ACCOUNT_BANNED';
          if (this.state.kind === 'signedIn') void this.end(banned ? SIGN_OUT_REASONS.banned : SIGN_OUT_REASONS.ended);
          throw new Error(error ? describeGraphqlError(error) : 'The session could not be refreshed.');
        }
        this.accessToken = payload.accessToken;
        this.expiresAt = Date.parse(payload.accessTokenExpiresAt);
        return payload.accessToken;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async loadUser(): Promise<void> {
    const answer = await postGraphql(MeDocument, {}, await this.getAccessToken());
    const me = answer.data?.me;
    const error = answer.errors?.[0];
    const extensions = (error?.extensions ?? {}) as { code?: string; reason?: string };
    if (extensions.reason === 'ACCOUNT_BANNED' || me?.status === 'BANNED') return this.end(SIGN_OUT_REASONS.banned);
    if (extensions.code === 'UNAUTHENTICATED') return this.end(SIGN_OUT_REASONS.ended);
    if (!me) throw new Error(error ? describeGraphqlError(error) : 'Your account could not be read.');
    if (!me.role || !DASHBOARD_ROLES.includes(me.role)) {
      return this.end(this.state.kind === 'signedIn' ? SIGN_OUT_REASONS.demoted : SIGN_OUT_REASONS.notForThisRole);
    }
    const current = this.state.kind === 'signedIn' ? this.state.user : null;
    const user: SignedInUser = { id: me.id, email: me.email ?? null, role: me.role, shop: me.shop ?? null };
    // Unchanged: no new state, so that nothing re-renders (and no client is rebuilt) for a recheck that found nothing.
    if (current && current.id === user.id && current.role === user.role && current.shop?.id === user.shop?.id) return;
    this.setState({ kind: 'signedIn', user });
  }
}
