import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';

/** What happened. Codes are stable: log queries and alerts rely on them. */
export enum AuditEventType {
  SIGN_UP = 'SIGN_UP',
  LOGIN_SUCCEEDED = 'LOGIN_SUCCEEDED',
  LOGIN_FAILED = 'LOGIN_FAILED',
  REFRESH_TOKEN_REUSED = 'REFRESH_TOKEN_REUSED',
  USER_BANNED = 'USER_BANNED',
  USER_UNBANNED = 'USER_UNBANNED',
  ROLE_CHANGED = 'ROLE_CHANGED',
  ADMIN_CREATED = 'ADMIN_CREATED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  PASSWORD_RESET_REQUESTED = 'PASSWORD_RESET_REQUESTED',
  PASSWORD_RESET = 'PASSWORD_RESET',
  ACCOUNT_DELETED = 'ACCOUNT_DELETED',
}
registerEnumType(AuditEventType, { name: 'AuditEventType', description: 'Kinds of security-relevant events kept in the audit trail.' });

/**
 * The audit trail: security-relevant events, kept for operators. Rows are only ever inserted. User ids are
 * plain columns, not foreign keys: the trail outlives what it mentions.
 */
@ObjectType({ description: 'A security-relevant event: who, what, from where, in which request.' })
@Entity({ tableName: 'audit_event' })
@Index({ properties: ['userId', 'id'] })
@Index({ properties: ['type', 'id'] })
export class AuditEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field(() => AuditEventType)
  @Enum({ items: () => AuditEventType, type: 'text' })
  type!: AuditEventType;

  @Field(() => ID, { nullable: true, description: 'The user the event is about; null for a failed log-in to an unknown email.' })
  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Field(() => ID, { nullable: true, description: 'Who did it, when not the user itself (an operator banning a user).' })
  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  clientAddress: string | null = null;

  @Field(() => String, { nullable: true, description: 'The X-Request-Id of the request, to find its log lines.' })
  @Property({ type: 'text', nullable: true })
  requestId: string | null = null;

  @Field(() => GraphQLJSONObject, { description: 'What else is known: a ban reason, the old and new role, why a log-in failed.' })
  @Property({ type: 'jsonb' })
  details: Record<string, unknown> = {};

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
