import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { AtMostProductImages, ImageInput, MAX_PRODUCT_IMAGES } from './product-image';

/** Largest price, in minor units: room for VND and KRW prices, far from the 32-bit limit. */
export const MAX_PRICE_AMOUNT = 1_000_000_000;
/** Largest stock a product may start with. */
export const MAX_INITIAL_STOCK = 1_000_000;

@InputType({ description: "A new product of the caller's shop, priced in the shop's currency." })
export class CreateProductInput {
  @Field({ description: 'From 1 to 200 characters; the slug is made from it.' })
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'At most 5,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string | null;

  @Field(() => Int, { description: `In the minor unit of the shop's currency, from 0 to ${MAX_PRICE_AMOUNT}.` })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_AMOUNT)
  priceAmount!: number;

  @Field(() => ID, { description: 'The category to list it in.' })
  @IsUUID('all', { message: 'categoryId must be a category id' })
  categoryId!: string;

  @Field(() => Int, { description: `Units available at once, from 0 to ${MAX_INITIAL_STOCK}.` })
  @IsInt()
  @Min(0)
  @Max(MAX_INITIAL_STOCK)
  initialStock!: number;

  @Field(() => [ImageInput], { nullable: true, description: `At most ${MAX_PRODUCT_IMAGES}, in display order; none when left out.` })
  @IsOptional()
  @AtMostProductImages()
  @ValidateNested({ each: true })
  images?: ImageInput[] | null;
}

@InputType({ description: 'Changes to a product; fields left out stay as they are. The slug never changes, so links keep working.' })
export class UpdateProductInput {
  @Field(() => String, { nullable: true, description: 'From 1 to 200 characters.' })
  @IsOptional()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 5,000 characters; null removes it.' })
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  description?: string | null;

  @Field(() => Int, { nullable: true, description: `In the minor unit of the shop's currency, from 0 to ${MAX_PRICE_AMOUNT}.` })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_AMOUNT)
  priceAmount?: number | null;

  @Field(() => ID, { nullable: true, description: 'The category to list it in.' })
  @IsOptional()
  @IsUUID('all', { message: 'categoryId must be a category id' })
  categoryId?: string | null;

  @Field(() => [ImageInput], { nullable: true, description: `At most ${MAX_PRODUCT_IMAGES}, in display order: replaces every image; [] removes them.` })
  @IsOptional()
  @AtMostProductImages()
  @ValidateNested({ each: true })
  images?: ImageInput[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true withdraws it from sale: out of the catalogue, search and shop pages, refused by carts; orders keep it. false lists it again.',
  })
  @IsOptional()
  @IsBoolean()
  archived?: boolean | null;
}
