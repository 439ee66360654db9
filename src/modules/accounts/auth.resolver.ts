import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { SignUpInput } from './auth.inputs';
import type { AuthService } from './auth.service';
import { AuthPayload } from './auth.types';
import type { SessionService } from './session.service';
import { UnauthenticatedReason } from '../../shared/errors';
import { refreshRefusedError } from './accounts.errors';
import { clearRefreshCookie, handOutSession, refreshTokenFromCookie, usesCookieTransport } from './refresh-cookie';

/** Accounts and sessions: sign up, log in, rotate, log out. Open to anyone; the tokens are the credentials. */
@Resolver()
export class AuthResolver {
  constructor(private readonly services: { authService: AuthService; sessionService: SessionService }) {}

  // Cost 50 in the query budget, as logIn: an argon2 hash (about 20 MiB, tens of milliseconds).
  @Mutation(() => AuthPayload, { complexity: 50, description: 'Creates a BUYER (default) or ARTISAN account and logs it in.' })
  async signUp(@Arg('input', () => SignUpInput, { description: 'The new account.' }) input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return handOutSession(ctx, await this.services.authService.signUp(ctx, input));
  }

  // Nullable, as the contract has it. A request holds at most one credential field (see credential-fields.ts), so
  // aliased attempts are refused before any of them runs.
  @Mutation(() => AuthPayload, {
    complexity: 50,
    nullable: true,
    description:
      'Opens a session; null with an error when refused. Failed attempts are limited per (account, client address) pair, per client address, and per account for addresses that failed on it (RATE_LIMITED). One logIn, signUp or refreshSession per request.',
  })
  async logIn(
    @Arg('email', { description: 'The email the account was made with, in any case.' }) email: string,
    @Arg('password', { description: "The account's password." }) password: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return handOutSession(ctx, await this.services.authService.logIn(ctx, email, password));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Rotates: the refresh token sent is spent and a new one comes back. Sending a spent one again revokes every token of that session and ' +
      'fails with UNAUTHENTICATED, except within a short grace period after its rotation (two tabs refreshing at once, a retried request): ' +
      'then it answers a valid successor of the same session. Without `refreshToken`, the refresh cookie of the cookie transport is used.',
  })
  async refreshSession(
    @Arg('refreshToken', () => String, {
      nullable: true,
      description: 'The refresh token to spend; leave it out with the cookie transport (the browser sends the cookie).',
    })
    refreshToken: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    const token = refreshToken ?? refreshTokenFromCookie(ctx);
    if (!token) throw refreshRefusedError('No refresh token: send one, or its cookie', UnauthenticatedReason.TOKEN_INVALID);
    return handOutSession(ctx, await this.services.sessionService.refresh(ctx, token));
  }

  @Mutation(() => Boolean, {
    description:
      "Ends the refresh token's session: its access and refresh tokens stop working, and the refresh cookie, if any, is cleared. " +
      'False when the token is unknown. Without `refreshToken`, or with an empty one, the refresh cookie is used.',
  })
  logOut(
    @Arg('refreshToken', () => String, {
      nullable: true,
      description: "A refresh token of the session; with the cookie transport, leave it out or send '' (the contract's `LogOut` requires the variable).",
    })
    refreshToken: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    // '' is never a token: a cookie-transport browser sends it through the contract's LogOut, whose variable is required.
    const token = refreshToken || refreshTokenFromCookie(ctx);
    // The cookie goes whatever the token: a browser that logs out must not keep one.
    if (usesCookieTransport(ctx)) clearRefreshCookie(ctx);
    if (!token) return Promise.resolve(false);
    return this.services.sessionService.logOut(ctx, token);
  }
}
