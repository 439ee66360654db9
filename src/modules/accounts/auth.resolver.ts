import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { SignUpInput } from './auth.inputs';
import { authService } from './auth.service';
import { AuthPayload } from './auth.types';
import { sessionService } from './session.service';

/** Accounts and sessions: sign up, log in, rotate, log out. Open to anyone; the tokens are the credentials. */
@Resolver()
export class AuthResolver {
  // Cost 50 in the query budget, as logIn: an argon2 hash (about 20 MiB, tens of milliseconds).
  @Mutation(() => AuthPayload, { complexity: 50, description: 'Creates a BUYER (default) or ARTISAN account and logs it in.' })
  signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return authService.signUp(ctx, input);
  }

  // Nullable, as the contract has it. A request holds at most one credential field (see credential-fields.ts), so
  // aliased attempts are refused before any of them runs.
  @Mutation(() => AuthPayload, {
    complexity: 50,
    nullable: true,
    description:
      'Opens a session; null with an error when refused. Failed attempts are limited per (account, client address) pair, per client address, and per account for addresses that failed on it (RATE_LIMITED). One logIn, signUp or refreshSession per request.',
  })
  logIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return authService.logIn(ctx, email, password);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Rotates: the refresh token sent is spent and a new one comes back. Sending a spent one again revokes every token of that session and fails with UNAUTHENTICATED.',
  })
  refreshSession(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return sessionService.refresh(ctx, refreshToken);
  }

  @Mutation(() => Boolean, {
    description: "Ends the refresh token's session: its access and refresh tokens stop working. False when the token is unknown.",
  })
  logOut(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext): Promise<boolean> {
    return sessionService.logOut(ctx, refreshToken);
  }
}
