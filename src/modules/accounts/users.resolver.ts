import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { UserConnection } from './accounts.types';
import { Role, User } from './user.entity';
import { UserFilter } from './users.inputs';
import { BAN_REASON_MAX_LENGTH, type UsersService } from './users.service';

/** The operators' back office: ADMIN and SUPPORT read, only ADMIN changes (see accounts.rules.ts). */
@Resolver()
export class UsersResolver {
  constructor(private readonly services: { usersService: UsersService }) {}

  @Query(() => UserConnection, { description: 'Every user, newest first. ADMIN and SUPPORT.' })
  users(
    @Args() page: ConnectionArgs,
    @Arg('filter', () => UserFilter, { nullable: true, description: 'Narrows the list; every user when left out.' }) filter: UserFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<User>> {
    return this.services.usersService.list(ctx, pageRequest(page), filter);
  }

  @Mutation(() => User, {
    description: "Bans a user: from its very next request, whatever tokens it holds, it is refused; its sessions end and its WebSockets close. ADMIN.",
  })
  banUser(
    @Arg('userId', () => ID,
    { description: 'The user to ban.' }) userId: string, @Arg('reason',
    { description: `Why, kept in the audit trail: 1 to ${BAN_REASON_MAX_LENGTH} characters.` }) reason: string, @Ctx() ctx: RequestContext,
  ): Promise<User> {
    return this.services.usersService.ban(ctx, userId, reason);
  }

  @Mutation(() => User, { description: 'Lifts a ban; the user logs in again. ADMIN.' })
  unbanUser(
    @Arg('userId', () => ID,
    { description: 'The banned user to let back in.' }) userId: string, @Ctx() ctx: RequestContext,
  ): Promise<User> {
    return this.services.usersService.unban(ctx, userId);
  }

  @Mutation(() => User, { description: "Changes a user's role, from its very next request. ADMIN." })
  setUserRole(
    @Arg('userId', () => ID,
    { description: 'The user whose role changes.' }) userId: string, @Arg('role',
    () => Role, { description: 'The new role; takes effect on the next request.' }) role: Role, @Ctx() ctx: RequestContext,
  ): Promise<User> {
    return this.services.usersService.setRole(ctx, userId, role);
  }
}
