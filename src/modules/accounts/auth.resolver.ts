import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { SignUpInput } from './auth.inputs';
import { authService } from './auth.service';
import { AuthPayload } from './auth.types';
import { sessionService } from './session.service';

/** Accounts and sessions: sign up, log in, rotate, log out. Open to anyone; the tokens are the credentials. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a BUYER (default) or ARTISAN account and logs it in.' })
  signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: RequestContext): Promise<AuthPayload> {
    return authService.signUp(ctx, input);
  }

  // Nullable on purpose: with `AuthPayload!`, graphql-js would stop a mutation at its first failed field, so
  // that of twenty aliased attempts only the first would run. Nullable, each one runs, fails on its own and is
  // counted by the limiter: twenty aliases are twenty attempts.
  @Mutation(() => AuthPayload, {
    nullable: true,
    description:
      'Opens a session; null with an error when refused. Failed attempts are limited per account and per client address (RATE_LIMITED), each aliased field counting as one.',
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
