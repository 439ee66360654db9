import { Embeddable, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** A postal address, copied onto the order at checkout (later changes of the buyer's details never touch it). */
@ObjectType({ description: 'A postal address.' })
@Embeddable()
export class Address {
  @Field({ description: 'The recipient.' })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'Street and number.' })
  @Property({ type: 'text' })
  line1!: string;

  @Field(() => String, { nullable: true, description: 'Apartment, floor, building; null when none.' })
  @Property({ type: 'text', nullable: true })
  line2: string | null = null;

  @Field({ description: 'The city or town.' })
  @Property({ type: 'text' })
  city!: string;

  @Field({ description: 'The postal code, as the buyer wrote it.' })
  @Property({ type: 'text' })
  postalCode!: string;

  @Field({ description: 'ISO 3166-1 alpha-2 country code.' })
  @Property({ type: 'string', columnType: 'char(2)' })
  country!: string;

  @Field(() => String, { nullable: true, description: 'A phone number for the carrier; null when none.' })
  @Property({ type: 'text', nullable: true })
  phone: string | null = null;
}
