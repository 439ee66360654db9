import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'Narrows the catalogue. Every filter given must match.' })
export class ProductFilter {
  @Field(() => ID, { nullable: true, description: 'Only products of this shop.' })
  @IsOptional()
  @IsUUID('all', { message: 'shopId must be a shop id' })
  shopId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only products of this category.' })
  @IsOptional()
  @IsUUID('all', { message: 'categoryId must be a category id' })
  categoryId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Words that must all appear in the title or description (PostgreSQL full-text, case-insensitive).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only products with at least one unit available.' })
  @IsOptional()
  @IsBoolean()
  inStockOnly?: boolean | null;
}
