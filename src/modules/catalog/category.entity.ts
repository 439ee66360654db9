import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import { newId } from '../../shared/ids';

@ObjectType({ description: 'A product category of the catalogue.' })
@Directive(cacheHint({ maxAge: CACHE_MAX_AGE.categories }))
@Entity()
export class Category {
  @Field(() => ID, { description: 'Unique id of the category.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field({ description: 'The name shown to buyers.' })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'Unique, URL-safe.' })
  @Property({ type: 'text', unique: true })
  slug!: string;
}
