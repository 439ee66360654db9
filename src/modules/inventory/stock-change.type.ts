import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { StockChangedEvent } from './stock-events';
import { StockReason } from './stock-reason';

@ObjectType({ description: "A committed change of a product's available stock." })
export class StockChange {
  @Field(() => ID, { description: 'The product whose stock changed.' })
  productId!: string;

  @Field(() => Int, { description: 'Available stock right after the change.' })
  available!: number;

  @Field(() => Int, { description: 'Units added (positive) or taken (negative).' })
  delta!: number;

  @Field(() => StockReason, { description: 'Why it changed.' })
  reason!: StockReason;

  @Field(() => Int, { description: "The product's stock version after the change: one more with each change, so a gap means a missed change (refetch)." })
  version!: number;

  @Field({ description: 'When the change was made.' })
  at!: Date;

  /** The event itself, for `product` (not a GraphQL field). */
  event!: StockChangedEvent;
}
