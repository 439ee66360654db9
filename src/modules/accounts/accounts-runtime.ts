import type { Config } from '../../config/config';
import type { RedisClient } from '../../infra/redis';
import type { AccessTokens } from './access-token';
import { createLoginLimiter, type LoginLimiter } from './login-limiter';
import { prepareDummyHash } from './password-hashing';

/** What the accounts services need beyond the request: one per app, reached through `ctx.accounts`. */
export interface AccountsRuntime {
  accessTokens: AccessTokens;
  /** Lifetime of each refresh token; every rotation starts a new one. */
  refreshTokenTtlDays: number;
  loginLimiter: LoginLimiter;
}

export function createAccountsRuntime(deps: { config: Config; accessTokens: AccessTokens; redis: RedisClient | null }): AccountsRuntime {
  // In the background: by the first log-in, refusing an unknown email already costs what a real check does.
  prepareDummyHash().catch(() => undefined);
  return {
    accessTokens: deps.accessTokens,
    refreshTokenTtlDays: deps.config.auth.refreshTokenTtlDays,
    loginLimiter: createLoginLimiter({ ...deps.config.loginLimits, redis: deps.redis }),
  };
}
