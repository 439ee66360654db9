import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { isEmail } from 'class-validator';
import type { ServiceScope } from '../service-scope';
import { newId } from '../../shared/ids';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit } from './audit';
import { EMAIL_MAX_LENGTH, adminPasswordProblem, normaliseEmail } from './credentials';
import { hashPassword } from './password-hashing';
import { sealUserDisplayName } from './sealed-display-name';
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

/** Making operator accounts, from the command line only. */
export const adminAccountService = {
  /**
   * Creates an ADMIN account (what `npm run create-admin` runs, as the system actor `create-admin`; a user's request
   * may not: no API field calls this). The password must pass the stricter operator policy
   * ({@link adminPasswordProblem}); an existing email is refused rather than promoted. Audited as ADMIN_CREATED.
   */
  async create(scope: ServiceScope, input: CreateAdminInput): Promise<User> {
    // A defect, not a client's mistake: nothing a user can send reaches this.
    const { actor } = scope;
    if (actor.kind !== 'system') throw new Error('only an operator script creates ADMIN accounts');
    const problem = adminInputProblem(input);
    if (problem) throw new CreateAdminError(problem);
    const email = normaliseEmail(input.email);
    const displayName = input.displayName.trim();
    const passwordHash = await hashPassword(input.password);
    const now = scope.clock.now();
    try {
      const { user, event } = await scope.em.fork().transactional(async (tx) => {
        // The name is sealed with the user's id as associated data: the id is chosen first.
        const id = newId();
        const sealedDisplayName = sealUserDisplayName(id, displayName);
        const user = tx.create(User, { id, email, sealedDisplayName, passwordHash, role: Role.ADMIN, status: UserStatus.ACTIVE, createdAt: now, updatedAt: now });
        const event = recordAudit(tx, scope, { type: AuditEventType.ADMIN_CREATED, userId: user.id, details: { via: actor.name } });
        return { user, event };
      });
      logAudit(scope.logger, event);
      return user;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new CreateAdminError(`An account with the email ${email} already exists`);
      throw error;
    }
  },
};
