import { IsIn, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SUPPORTED_CURRENCIES } from '../../shared/money';

@InputType({ description: "An artisan's new shop." })
export class CreateShopInput {
  @Field({ description: 'From 2 to 80 characters; the slug is made from it.' })
  @Length(2, 80)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string | null;

  @Field({ description: 'ISO 3166-1 alpha-2 country code, e.g. FR.' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code, e.g. FR' })
  country!: string;

  @Field({ description: `ISO 4217 code of every price in the shop, one of ${SUPPORTED_CURRENCIES.join(', ')}. It never changes.` })
  @IsIn(SUPPORTED_CURRENCIES, { message: `currency must be one of ${SUPPORTED_CURRENCIES.join(', ')}` })
  currency!: string;
}

@InputType({ description: "Changes to the caller's shop; fields left out stay as they are. Its currency and country never change here." })
export class UpdateShopInput {
  @Field(() => String, { nullable: true, description: 'From 2 to 80 characters. The slug follows it only while no order references the shop.' })
  @IsOptional()
  @Length(2, 80)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters; null removes it.' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string | null;
}
