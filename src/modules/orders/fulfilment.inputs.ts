import { IsString, Length, Matches } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import type { Order } from './order.entity';
import { Shipment } from './shipment.entity';
import { OrderSummary } from './shop-order.types';

/** The longest carrier name and tracking number kept. */
export const MAX_SHIPMENT_TEXT = 100;

@InputType({ description: "The caller's shipment of its lines of an order: the carrier and the tracking number, as the artisan writes them." })
export class ShipmentInput {
  @Field({ description: `From 1 to ${MAX_SHIPMENT_TEXT} characters.` })
  @IsString()
  @Length(1, MAX_SHIPMENT_TEXT)
  @Matches(/\S/, { message: 'carrier must not be blank' })
  carrier!: string;

  @Field({ description: `From 1 to ${MAX_SHIPMENT_TEXT} characters.` })
  @IsString()
  @Length(1, MAX_SHIPMENT_TEXT)
  @Matches(/\S/, { message: 'trackingNumber must not be blank' })
  trackingNumber!: string;
}

/** What `fulfilOrder` answers: the order as it now stands, and the caller's shipment. */
@ObjectType({ description: "The order after the caller's shipment, and that shipment." })
export class FulfilmentPayload {
  /** The shop's view of the order (`OrderSummary`): an artisan never reaches other shops' lines or the payment. */
  @Field(() => OrderSummary, { description: 'The order as it now stands, as a shop sees it: FULFILLED once every shop has shipped.' })
  order!: Order;

  @Field(() => Shipment, { description: "The caller's shipment: the one just recorded, or the same one again when the call is repeated." })
  shipment!: Shipment;
}
