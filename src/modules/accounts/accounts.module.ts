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

/** Users, sessions, roles and bans, the owner's controls and the audit log. */
export const accountsModule = defineModule({
  name: 'accounts',
  entities: [User, Session, RefreshToken, AuditEvent, PasswordResetToken],
  resolvers: [AuditResolver, AuthResolver, AccountControlsResolver, MeResolver, UserFieldsResolver, UsersResolver],
  rules: accountsRules,
  loaders: (em) => ({ userById: byIdLoader(em, User) }),
  live: {
    /** Account changes (role, status), for `myAccount`. */
    hubs: (deps: LiveHubDeps) => ({ accounts: createAccountUpdatesHub(deps) }),
    relay: { [ACCOUNT_NOTIFY_CHANNEL]: ACCOUNT_TOPIC },
  },
});
