import { Entity, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { User } from '../accounts';
import { Shop } from '../catalog';
import { newId } from '../../shared/ids';
import { Order } from './order.entity';

/**
 * One shop's shipment of its lines of a paid order: at most one per (order, shop), written by `fulfilOrder`
 * (`fulfilment.service.ts`) and never changed. The order becomes FULFILLED with the last shop's shipment.
 * `shop` is resolved in `order-fields.resolver.ts`.
 */
@ObjectType({ description: "One shop's shipment of its lines of an order. The tracking number is the artisan's own text." })
@Entity({ tableName: 'shipment' })
// One shipment per shop and order: a second fulfilment of the same shop finds the first (idempotency).
@Unique({ properties: ['order', 'shop'] })
export class Shipment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Order, { ref: true, deleteRule: 'cascade', index: false })
  order!: Ref<Order>;

  @ManyToOne(() => Shop, { ref: true, deleteRule: 'restrict' })
  shop!: Ref<Shop>;

  @Field({ description: 'Who carries the parcel, as the artisan wrote it.' })
  @Property({ type: 'text' })
  carrier!: string;

  @Field({ description: "The carrier's tracking number, as the artisan wrote it." })
  @Property({ type: 'text' })
  trackingNumber!: string;

  @Field({ description: 'When the artisan recorded the shipment.' })
  @Property({ type: 'timestamptz' })
  shippedAt!: Date;

  /** Who recorded it: the shop's artisan (or an ADMIN acting for the shop). */
  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict', index: false })
  shippedBy!: Ref<User>;
}
