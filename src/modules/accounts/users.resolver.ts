import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { UserConnection } from './accounts.types';
import { Role, User } from './user.entity';
import { UserFilter } from './users.inputs';
import { usersService } from './users.service';

/** The operators' back office: ADMIN and SUPPORT read, only ADMIN changes (see accounts.rules.ts). */
@Resolver()
export class UsersResolver {
  @Query(() => UserConnection, { description: 'Every user, newest first. ADMIN and SUPPORT.' })
  users(
    @Args() page: ConnectionArgs,
    @Arg('filter', () => UserFilter, { nullable: true }) filter: UserFilter | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<User>> {
    return usersService.list(ctx, pageRequest(page), filter);
  }

  @Mutation(() => User, {
    description: "Bans a user: from its very next request, whatever tokens it holds, it is refused; its sessions end and its WebSockets close. ADMIN.",
  })
  banUser(@Arg('userId', () => ID) userId: string, @Arg('reason') reason: string, @Ctx() ctx: RequestContext): Promise<User> {
    return usersService.ban(ctx, userId, reason);
  }

  @Mutation(() => User, { description: 'Lifts a ban; the user logs in again. ADMIN.' })
  unbanUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: RequestContext): Promise<User> {
    return usersService.unban(ctx, userId);
  }

  @Mutation(() => User, { description: "Changes a user's role, from its very next request. ADMIN." })
  setUserRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: RequestContext): Promise<User> {
    return usersService.setRole(ctx, userId, role);
  }
}
