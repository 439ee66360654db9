import { AuditResolver } from './audit.resolver';
import { AuthResolver } from './auth.resolver';
import { AccountControlsResolver } from './account-controls.resolver';
import { MeResolver } from './me.resolver';
import { UserFieldsResolver } from './user-fields.resolver';
import { UsersResolver } from './users.resolver';
import { byIdLoader } from '../../shared/loaders';
import type { LiveHubDeps } from '../../infra/live-hub';
import { ACCOUNT_NOTIFY_CHANNEL, ACCOUNT_TOPIC } from './account-events';
import { createAccountUpdatesHub } from './account-updates.hub';
import { accountsRules } from './accounts.rules';
import { AuditEvent } from './audit-event.entity';
import { PasswordResetToken } from './password-reset-token.entity';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';
import { User } from './user.entity';
import { defineModule } from '../../shared/module-manifest';
import type { Config } from '../../config/config';
import type { AccountsRuntime } from './accounts-runtime';
import { createAccountDeletionService } from './account-deletion.service';
import { auditService } from './audit.service';
import { createAuthService } from './auth.service';
import { adminAccountService } from './create-admin';
import { createMyAccountService } from './my-account.service';
import { createPasswordService, type PasswordService } from './password.service';
import { createSessionService, type SessionService } from './session.service';
import { createUsersService } from './users.service';

/** What the accounts services are made with: the app's accounts runtime, its mail settings, its account hub, and each other. */
interface AccountsServiceDeps {
  accounts: AccountsRuntime;
  config: Pick<Config, 'mail'>;
  live: { accounts: ReturnType<typeof createAccountUpdatesHub> };
  sessionService: SessionService;
  passwordService: PasswordService;
}

/** Users, sessions, roles and bans, the owner's controls and the audit log. */
export const accountsModule = defineModule({
  name: 'accounts',
  entities: [User, Session, RefreshToken, AuditEvent, PasswordResetToken],
  resolvers: [AuditResolver, AuthResolver, AccountControlsResolver, MeResolver, UserFieldsResolver, UsersResolver],
  rules: accountsRules,
  loaders: (em) => ({ userById: byIdLoader(em, User) }),
  services: (deps: AccountsServiceDeps) => ({
    sessionService: createSessionService(deps),
    authService: createAuthService(deps),
    passwordService: createPasswordService(deps),
    accountDeletionService: createAccountDeletionService(deps),
    usersService: createUsersService(deps),
    auditService,
    myAccountService: createMyAccountService(deps),
    adminAccountService,
  }),
  live: {
    /** Account changes (role, status), for `myAccount`. */
    hubs: (deps: LiveHubDeps) => ({ accounts: createAccountUpdatesHub(deps) }),
    relay: { [ACCOUNT_NOTIFY_CHANNEL]: ACCOUNT_TOPIC },
  },
});
