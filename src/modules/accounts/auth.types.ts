import { Field, ObjectType } from 'type-graphql';
import { User } from './user.entity';

@ObjectType({ description: 'The tokens of a session, as a log-in, a sign-up or a refresh hands them out.' })
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>` (HTTP) or `connectionParams.authorization` (WebSocket).' })
  accessToken!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Spent by `refreshSession`, which gives the next one. Keep it secret; never send it elsewhere. Null with the cookie transport (`X-Refresh-Token-Transport: cookie`): the token is then in an httpOnly cookie.',
  })
  refreshToken!: string | null;

  @Field({ description: 'When the access token stops working: refresh the session before then.' })
  accessTokenExpiresAt!: Date;

  @Field(() => User, { description: 'The account the tokens belong to.' })
  user!: User;
}
