import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import { newId } from '../../shared/ids';
import { User } from '../accounts';

@ObjectType({ description: "An artisan's shop. Its products are priced in the shop's currency." })
@Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
@Entity()
export class Shop {
  @Field(() => ID, { description: 'Unique id of the shop.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field({ description: 'The name shown to buyers.' })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'Unique, URL-safe.' })
  @Property({ type: 'text', unique: true })
  slug!: string;

  @Field(() => String, { nullable: true, description: "The artisan's text about the shop; null when none." })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field({ description: 'ISO 3166-1 alpha-2 country code.' })
  @Property({ type: 'string', columnType: 'char(2)' })
  country!: string;

  @Field({ description: 'ISO 4217 currency code of every price in the shop. It never changes.' })
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** One shop per artisan: the owner is unique. Resolved through loaders, never lazily. */
  @ManyToOne(() => User, { ref: true, unique: true, deleteRule: 'restrict' })
  owner!: Ref<User>;

  @Field({ description: 'When the shop opened.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
