import { Entity, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { Session } from './session.entity';

/**
 * One refresh token of a session, stored as its hash. Tokens rotate: using one spends it (`usedAt`) and gives
 * the next. A spent token presented again means that two parties hold the session: it is revoked.
 */
@Entity({ tableName: 'refresh_token' })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Session, { ref: true, deleteRule: 'cascade', index: true })
  session!: Ref<Session>;

  /** SHA-256 (hex) of the token: the token itself is never stored. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  /** When it was exchanged for the next one; a token is spent once. */
  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
