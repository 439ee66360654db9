import type { Config } from '../../config/config';
import type { Logger } from '../../infra/logger';
import type { RedisClient } from '../../infra/redis';
import type { AccessTokens } from './access-token';
import { createLoginLimiter, type LoginLimiter } from './login-limiter';
import { prepareDummyHash } from './password-hashing';
import { createViewerCache, type ViewerCache } from './viewer-cache';
import { createInProcessGenerations, createRedisGenerations } from './viewer-generations';

/** What the accounts services need beyond the request: one per app, reached through `ctx.accounts`. */
export interface AccountsRuntime {
  accessTokens: AccessTokens;
  /** Lifetime of each refresh token; every rotation starts a new one. */
  refreshTokenTtlDays: number;
  loginLimiter: LoginLimiter;
  /**
   * Password-reset requests per email and per client address, in an hour: the login limiter's mechanism, counting
   * every request (`attempt`), whether the email has an account or not.
   */
  passwordResetLimiter: LoginLimiter;
  /** How long an emailed reset token can be used, in milliseconds. */
  passwordResetTtlMs: number;
  /** The per-request re-check's cache; every write to a user, its sessions or its shop calls `forget`. */
  viewerCache: ViewerCache;
}

export function createAccountsRuntime(deps: { config: Config; accessTokens: AccessTokens; redis: RedisClient | null; logger: Logger }): AccountsRuntime {
  // In the background: by the first log-in, refusing an unknown email already costs what a real check does.
  prepareDummyHash().catch(() => undefined);
  return {
    accessTokens: deps.accessTokens,
    refreshTokenTtlDays: deps.config.auth.refreshTokenTtlDays,
    loginLimiter: createLoginLimiter({ ...deps.config.loginLimits, redis: deps.redis }),
    passwordResetLimiter: createLoginLimiter({
      failuresPerAccount: deps.config.passwordReset.perEmail,
      failuresPerAddress: deps.config.passwordReset.perAddress,
      windowSeconds: 3_600,
      redis: deps.redis,
      keyPrefix: 'atelier:password-resets',
    }),
    passwordResetTtlMs: deps.config.passwordReset.ttlMs,
    // Generations in Redis when there is one, so that a write on one instance counts on all of them.
    viewerCache: createViewerCache({
      generations: deps.redis ? createRedisGenerations(deps.redis) : createInProcessGenerations(),
      logger: deps.logger.child({ component: 'viewer-cache' }),
    }),
  };
}
