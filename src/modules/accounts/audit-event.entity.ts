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
registerEnumType(AuditEventType, {
  name: 'AuditEventType',
  description: 'Kinds of security-relevant events kept in the audit trail.',
  valuesConfig: {
    SIGN_UP: { description: 'An account was created by signing up.' },
    LOGIN_SUCCEEDED: { description: 'A log-in with the right password.' },
    LOGIN_FAILED: { description: 'A refused log-in: wrong password, unknown email, banned account or throttled (see `details`).' },
    REFRESH_TOKEN_REUSED: { description: 'A spent refresh token came back after its grace period: the session was revoked.' },
    USER_BANNED: { description: 'An operator banned the user (the reason is in `details`).' },
    USER_UNBANNED: { description: 'An operator lifted the ban.' },
    ROLE_CHANGED: { description: "An admin changed the user's role (old and new in `details`)." },
    ADMIN_CREATED: { description: 'An admin account was created from the command line (`create-admin`).' },
    PASSWORD_CHANGED: { description: 'The user changed their password; their other sessions ended.' },
    PASSWORD_RESET_REQUESTED: { description: 'A password reset was asked for this account.' },
    PASSWORD_RESET: { description: 'The password was reset with an emailed token; every session ended.' },
    ACCOUNT_DELETED: { description: 'The user deleted their account; their personal data was erased.' },
  },
});

/**
 * The audit trail: security-relevant events, kept for operators. Rows are only ever inserted. User ids are
 * plain columns, not foreign keys: the trail outlives what it mentions.
 */
@ObjectType({ description: 'A security-relevant event: who, what, from where, in which request.' })
@Entity({ tableName: 'audit_event' })
@Index({ properties: ['userId', 'id'] })
@Index({ properties: ['type', 'id'] })
export class AuditEvent {
  @Field(() => ID, { description: 'Unique id of the event.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field(() => AuditEventType, { description: 'What happened.' })
  @Enum({ items: () => AuditEventType, type: 'text' })
  type!: AuditEventType;

  @Field(() => ID, { nullable: true, description: 'The user the event is about; null for a failed log-in to an unknown email.' })
  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Field(() => ID, { nullable: true, description: 'Who did it, when not the user itself (an operator banning a user).' })
  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Field(() => String, { nullable: true, description: "The client's IP address as the server saw it (see TRUST_PROXY); null when not from a request (e.g. create-admin)." })
  @Property({ type: 'text', nullable: true })
  clientAddress: string | null = null;

  @Field(() => String, { nullable: true, description: 'The X-Request-Id of the request, to find its log lines.' })
  @Property({ type: 'text', nullable: true })
  requestId: string | null = null;

  @Field(() => GraphQLJSONObject, { description: 'What else is known: a ban reason, the old and new role, why a log-in failed.' })
  @Property({ type: 'jsonb' })
  details: Record<string, unknown> = {};

  @Field({ description: 'When it happened.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
