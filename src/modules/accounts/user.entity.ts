import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { cacheHint } from '../../shared/cache-hints';
import { OpenedValues } from '../../infra/encryption/opened-values';
import { newId } from '../../shared/ids';
import { DisplayNameUnreadableError, openUserDisplayName, sealUserDisplayName } from './sealed-display-name';

export enum Role {
  BUYER = 'BUYER',
  ARTISAN = 'ARTISAN',
  SUPPORT = 'SUPPORT',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do: BUYER shops; ARTISAN also runs one shop; SUPPORT reads users and orders; ADMIN does everything.',
  valuesConfig: {
    BUYER: { description: 'Browses, fills a cart, checks out and follows their orders.' },
    ARTISAN: { description: 'A buyer who also runs one shop: its products, stock, orders and shipments.' },
    SUPPORT: { description: 'An operator who reads users, orders, stock ledgers and emails; changes nothing.' },
    ADMIN: { description: 'An operator who may do everything, including bans, role changes and the audit trail.' },
  },
});

export enum UserStatus {
  ACTIVE = 'ACTIVE',
  BANNED = 'BANNED',
}
registerEnumType(UserStatus, {
  name: 'UserStatus',
  description: 'A BANNED user is refused on every request.',
  valuesConfig: {
    ACTIVE: { description: 'May use the API.' },
    BANNED: { description: 'Refused on every request and every live subscription, until unbanned.' },
  },
});

/** The last display name each user opened, by its sealed text: a user read many times opens it once. */
const openedNames = new OpenedValues<User, string>();

/** How a restricted field of a user says who may see it. */
const PRIVATE = 'Only the user itself, ADMIN and SUPPORT may see it: anyone else gets null here, with a FORBIDDEN error naming the path.';

@ObjectType({ description: 'A person with an account: buyer, artisan or operator. Anyone sees `id`, `displayName` and `shop`; the other fields are private.' })
@Entity({ tableName: 'app_user' })
export class User {
  /** Not a column: `em.create` takes `sealedDisplayName` (see `sealUserDisplayName`), sealed with the id chosen first. */
  [OptionalProps]?: 'displayName';

  @Field(() => ID, { description: 'Unique id of the user. Anyone may see it.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  /** Normalised (trimmed, lower-cased) and unique. */
  @Field(() => String, { nullable: true, description: `The address the user logs in with, lower-cased. ${PRIVATE}` })
  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Property({ type: 'text', unique: true })
  email!: string;

  /**
   * The display name sealed with AES-256-GCM, bound to this user's id (see `sealed-display-name.ts`). Set it
   * through `displayName`, or give `sealUserDisplayName(id, name)` to `em.create` with the same `id`.
   */
  @Property({ type: 'text', fieldName: 'display_name', hidden: true })
  sealedDisplayName!: string;

  /**
   * The public name, opened on read and sealed on write (the user's `id` must be set first). Throws when it cannot
   * be opened (logged with the user and key id): GraphQL answers that field with an error, and, the field being
   * non-null, nulls the nearest nullable field above it, keeping the rest of the answer.
   */
  @Field(() => String, { description: 'The public name, shown beside a shop and its products. Anyone may see it.' })
  get displayName(): string {
    const sealed = this.sealedDisplayName;
    return openedNames.read(this, sealed, () => openUserDisplayName(this.id, sealed), () => new DisplayNameUnreadableError());
  }

  set displayName(displayName: string) {
    this.sealedDisplayName = sealUserDisplayName(this.id, displayName);
    openedNames.remember(this, this.sealedDisplayName, displayName);
  }

  /** argon2id hash; never leaves the server. */
  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Field(() => Role, { nullable: true, description: `What the user may do. ${PRIVATE}` })
  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Enum({ items: () => Role, nativeEnumName: 'role' })
  @Index()
  role: Role = Role.BUYER;

  @Field(() => UserStatus, { nullable: true, description: `ACTIVE, or BANNED by an operator. ${PRIVATE}` })
  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Enum({ items: () => UserStatus, nativeEnumName: 'user_status' })
  status: UserStatus = UserStatus.ACTIVE;

  @Field(() => Date, { nullable: true, description: `When the account was made. ${PRIVATE}` })
  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /**
   * Set when the user deleted the account (`deleteMyAccount`): the row stays only as the anonymous buyer of past
   * orders, its email, name and password replaced.
   */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
