import { IsInt, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';

@InputType({ description: 'An amount of money: integer minor units of an ISO 4217 currency.' })
export class MoneyInput {
  @Field(() => Int, { description: "In the currency's minor unit (cents for USD, yen for JPY)." })
  @IsInt()
  @Min(0)
  amount!: number;

  @Field({ description: 'ISO 4217 code, e.g. EUR.' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code, e.g. EUR' })
  currency!: string;
}

@InputType({ description: 'A postal address.' })
export class AddressInput {
  @Field({ description: 'The recipient.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @Field({ description: 'Street and number: 1 to 200 characters.' })
  @IsString()
  @Length(1, 200)
  line1!: string;

  @Field(() => String, { nullable: true, description: 'Apartment, floor, building: up to 200 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  line2?: string | null;

  @Field({ description: 'The city or town: 1 to 100 characters.' })
  @IsString()
  @Length(1, 100)
  city!: string;

  @Field({ description: 'The postal code: 1 to 20 characters.' })
  @IsString()
  @Length(1, 20)
  postalCode!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 country code, e.g. FR.' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code, e.g. FR' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'A phone number for the carrier: digits, spaces, `+ ( ) . -`, 4 to 30 characters.' })
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

  @Field(() => AddressInput, { description: 'Where the order is shipped. Stored encrypted.' })
  // type-graphql turns nested inputs into instances of their class, which is what ValidateNested needs.
  @ValidateNested()
  shippingAddress!: AddressInput;

  @Field(() => MoneyInput, {
    nullable: true,
    description: 'The total the buyer was shown. When the cart totals otherwise (a price changed), CONFLICT with extensions.reason PRICE_CHANGED, and nothing is written.',
  })
  @IsOptional()
  @ValidateNested()
  expectedTotal?: MoneyInput | null;
}
