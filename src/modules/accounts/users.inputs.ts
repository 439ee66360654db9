import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { EMAIL_MAX_LENGTH } from './credentials';
import { Role, UserStatus } from './user.entity';

@InputType({ description: 'Narrows the list of users. Every filter given must match.' })
export class UserFilter {
  @Field(() => Role, { nullable: true, description: 'Only users with this role.' })
  @IsOptional()
  @IsIn(Object.values(Role))
  role?: Role | null;

  @Field(() => UserStatus, { nullable: true, description: 'Only users with this status.' })
  @IsOptional()
  @IsIn(Object.values(UserStatus))
  status?: UserStatus | null;

  @Field(() => String, { nullable: true, description: 'Part of the email, whatever its case.' })
  @IsOptional()
  @IsString()
  @Length(1, EMAIL_MAX_LENGTH)
  emailContains?: string | null;
}
