import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import type { AccountDeletionService } from './account-deletion.service';
import { AuthPayload } from './auth.types';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './credentials';
import type { PasswordService } from './password.service';
import { handOutSession } from './refresh-cookie';

/** The owner's controls of an account: its password, and its deletion. */
@Resolver()
export class AccountControlsResolver {
  constructor(private readonly services: { passwordService: PasswordService; accountDeletionService: AccountDeletionService }) {}

  @Mutation(() => Boolean, {
    description: 'Sets a new password; needs the current one (UNAUTHENTICATED with reason BAD_CREDENTIALS otherwise). Ends every other session of the account; the caller\'s goes on.',
  })
  changePassword(
    @Arg('currentPassword', { description: 'The password in use now.' }) currentPassword: string,
    @Arg('newPassword', { description: `The new password: ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.` }) newPassword: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    return this.services.passwordService.change(ctx, currentPassword, newPassword);
  }

  @Mutation(() => Boolean, {
    description:
      'Always true, whether or not the email has an account. When it has, a single-use reset code valid 30 minutes (PASSWORD_RESET_TTL_MINUTES) is emailed. Limited per email and per client address (RATE_LIMITED); an email longer than the longest accepted is BAD_USER_INPUT and counts nothing. One password field per request.',
  })
  requestPasswordReset(
    @Arg('email', { description: 'The email of the account; the answer is the same whether it exists or not.' }) email: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    return this.services.passwordService.request(ctx, email);
  }

  @Mutation(() => AuthPayload, {
    description:
      'Spends an emailed reset code (once) and sets the password; ends every session of the account and opens a new one. UNAUTHENTICATED with reason TOKEN_INVALID for an unknown, expired or used code.',
  })
  async resetPassword(
    @Arg('token', { description: 'The single-use token from the PASSWORD_RESET email.' }) token: string,
    @Arg('newPassword', { description: `The new password: ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.` }) newPassword: string,
    @Ctx() ctx: RequestContext,
  ): Promise<AuthPayload> {
    return handOutSession(ctx, await this.services.passwordService.reset(ctx, token, newPassword));
  }

  @Mutation(() => Boolean, {
    description:
      "Deletes the caller's account: needs its password. Erases email, name, cart and the outbox's copies; orders stay with the buyer anonymised. Ends every session and live socket; the email is free again. CONFLICT for an artisan who still has a shop. One password field per request: another, aliased, is BAD_USER_INPUT and none runs.",
  })
  deleteMyAccount(
    @Arg('password', { description: 'Your current password, to confirm.' }) password: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    return this.services.accountDeletionService.deleteMine(ctx, password);
  }
}
