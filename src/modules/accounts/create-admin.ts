import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isEmail } from 'class-validator';
import type { Logger } from '../../infra/logger';
import { systemClock, type Clock } from '../../shared/clock';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit } from './audit';
import { EMAIL_MAX_LENGTH, adminPasswordProblem, normaliseEmail } from './credentials';
import { hashPassword } from './password-hashing';
import { Role, User, UserStatus } from './user.entity';

/** A refusal of `create-admin` that the operator can fix: its message says what is wrong. */
export class CreateAdminError extends Error {
  override readonly name = 'CreateAdminError';
}

export interface CreateAdminInput {
  email: string;
  password: string;
  displayName: string;
}

/** What is wrong with the input of `create-admin`, or null: checked before anything touches the database. */
export function adminInputProblem(input: CreateAdminInput): string | null {
  const email = normaliseEmail(input.email);
  if (email.length > EMAIL_MAX_LENGTH || !isEmail(email)) return `"${input.email}" is not an email address`;
  if (!input.displayName.trim()) return 'The display name must not be blank';
  return adminPasswordProblem(input.password, email);
}

/**
 * Creates an ADMIN account (what `npm run create-admin` runs). The password must pass the stricter operator
 * policy ({@link adminPasswordProblem}); an existing email is refused rather than promoted. Audited as
 * ADMIN_CREATED.
 */
export async function createAdmin(em: EntityManager, input: CreateAdminInput, logger: Logger, clock: Clock = systemClock): Promise<User> {
  const problem = adminInputProblem(input);
  if (problem) throw new CreateAdminError(problem);
  const email = normaliseEmail(input.email);
  const displayName = input.displayName.trim();
  const passwordHash = await hashPassword(input.password);
  const now = clock.now();
  const source = { requestId: 'create-admin', clientAddress: null, logger, clock };
  try {
    const { user, event } = await em.fork().transactional(async (tx) => {
      const user = tx.create(User, { email, displayName, passwordHash, role: Role.ADMIN, status: UserStatus.ACTIVE, createdAt: now, updatedAt: now });
      const event = recordAudit(tx, source, { type: AuditEventType.ADMIN_CREATED, userId: user.id, details: { via: 'create-admin' } });
      return { user, event };
    });
    logAudit(logger, event);
    return user;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new CreateAdminError(`An account with the email ${email} already exists`);
    throw error;
  }
}
