import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { User } from './user.entity';

/**
 * A password-reset token sent by email, stored as its SHA-256 only (256 random bits: a fast hash is enough).
 * Single use (`usedAt`), short-lived (`expiresAt`, PASSWORD_RESET_TTL_MINUTES); a newer request spends the older
 * ones. The retention job deletes spent and expired ones.
 */
@Entity({ tableName: 'password_reset_token' })
export class PasswordResetToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: false })
  @Index()
  user!: Ref<User>;

  /** SHA-256 (hex) of the token. */
  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
