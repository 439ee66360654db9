import { IsISO31661Alpha2, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A postal address.' })
export class AddressInput {
  @Field({ description: 'The recipient.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field()
  @IsString()
  @Length(1, 200)
  line1!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  line2?: string | null;

  @Field()
  @IsString()
  @Length(1, 100)
  city!: string;

  @Field()
  @IsString()
  @Length(1, 20)
  postalCode!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 country code, e.g. FR.' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code, e.g. FR' })
  country!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ().-]{4,30}$/, { message: 'phone must be a phone number' })
  phone?: string | null;
}

@InputType({ description: 'What checkout needs besides the cart.' })
export class CheckoutInput {
  @Field({
    description: 'Chosen by the client, one per checkout attempt: the same key again returns the same order. Up to 255 characters.',
  })
  @IsString()
  @Length(1, 255)
  idempotencyKey!: string;

  @Field(() => AddressInput)
  // type-graphql turns nested inputs into instances of their class, which is what ValidateNested needs.
  @ValidateNested()
  shippingAddress!: AddressInput;
}
