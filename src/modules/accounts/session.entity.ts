import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { User } from './user.entity';

/**
 * One login: every access and refresh token descended from it names it. Revoking the session (log-out,
 * refresh-token reuse, ban) ends all of them at once, on the very next request.
 */
@Entity({ tableName: 'auth_session' })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: false })
  @Index()
  user!: Ref<User>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** Set once, when the session ends; a revoked session is never revived. */
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** Why it ended: `LOGOUT`, `REFRESH_TOKEN_REUSE`, `BANNED`. */
  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;
}
