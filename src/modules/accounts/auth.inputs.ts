import { IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateBy } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { BIDI_CONTROLS, EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, emailProblem } from './credentials';
import { NotMatches } from '../../shared/not-matches';
import { Role } from './user.entity';

/**
 * The email as the account will hold it (normalised) is an address ({@link emailProblem}): checked with the
 * input's other fields, so that every problem of a sign-up is reported at once.
 */
function IsAccountEmail(): PropertyDecorator {
  return ValidateBy({
    name: 'isAccountEmail',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && emailProblem(value) === null,
      defaultMessage: (args) => (typeof args?.value === 'string' && emailProblem(args.value)) || 'email must be an email address',
    },
  });
}

/** Roles a person may choose at sign-up; operators are made by operators. */
export const SELF_SERVICE_ROLES = [Role.BUYER, Role.ARTISAN] as const;

@InputType({ description: 'A new account.' })
export class SignUpInput {
  /** Checked once normalised (trimmed, lower-cased), by the service: `' Ana@Example.com '` is acceptable. */
  @Field({ description: 'Unique, whatever its case; stored lower-cased.' })
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH + 64)
  @IsAccountEmail()
  email!: string;

  @Field({ description: `From ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.` })
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, {
    message: `password must have from ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
  })
  password!: string;

  @Field({ description: 'The public name, shown beside a shop. From 1 to 80 characters.' })
  @Length(1, 80)
  @Matches(/\S/, { message: 'displayName must not be blank' })
  @NotMatches(BIDI_CONTROLS, { message: 'displayName must not contain bidirectional control characters' })
  displayName!: string;

  @Field(() => Role, { nullable: true, description: 'BUYER (default) or ARTISAN; ADMIN and SUPPORT cannot be chosen here.' })
  @IsOptional()
  @IsIn(SELF_SERVICE_ROLES, { message: 'role must be BUYER or ARTISAN' })
  role?: Role | null;
}
