import type { Config } from '../../config/config';
import type { Logger } from '../../infra/logger';
import type { RedisLink } from '../../infra/redis';
import type { AccessTokens } from './access-token';
import { createLoginLimiter, refusal, windowLimiter, boundedKey, type LoginLimiter } from './login-limiter';
import { prepareDummyHash } from './password-hashing';
import { createViewerCache, type ViewerCache } from './viewer-cache';
import { createInProcessGenerations, createRedisGenerations } from './viewer-generations';

/** What the accounts services need beyond the request: one per app, given to them once (`createServices`). */
export interface AccountsRuntime {
  accessTokens: AccessTokens;
  /** Lifetime of each refresh token; every rotation starts a new one. */
  refreshTokenTtlDays: number;
  /** How long after its rotation a spent refresh token answers a successor instead of revoking (REFRESH_REUSE_GRACE_SECONDS). */
  refreshReuseGraceSeconds: number;
  loginLimiter: LoginLimiter;
  /** Counts a sign-up against the client address (`SIGN_UPS_PER_ADDRESS` per `SIGN_UP_WINDOW_SECONDS`); throws RATE_LIMITED past it. */
  countSignUp(address: string | null): Promise<void>;
  /**
   * Password-reset requests per email and per client address, in an hour: every request counts against both,
   * whether the email has an account or not. Throws RATE_LIMITED past either.
   */
  passwordResetLimiter: { attempt(email: string, address: string | null): Promise<void> };
  /** How long an emailed reset token can be used, in milliseconds. */
  passwordResetTtlMs: number;
  /** The per-request re-check's cache; every write to a user, its sessions or its shop calls `forget`. */
  viewerCache: ViewerCache;
}

export function createAccountsRuntime(deps: { config: Config; accessTokens: AccessTokens; redis: RedisLink | null; logger: Logger }): AccountsRuntime {
  // In the background: by the first log-in, refusing an unknown email already costs what a real check does.
  prepareDummyHash().catch(() => undefined);
  const { signUps } = deps.config.limits;
  const signUpsByAddress = windowLimiter(deps.redis, 'sign-ups:address', signUps.perAddress, signUps.windowSeconds);
  const { passwordReset } = deps.config;
  const resetsByEmail = windowLimiter(deps.redis, 'password-resets:email', passwordReset.perEmail, 3_600);
  const resetsByAddress = windowLimiter(deps.redis, 'password-resets:address', passwordReset.perAddress, 3_600);
  return {
    countSignUp: async (address) => {
      try {
        await signUpsByAddress.consume(boundedKey(address ?? 'unknown'));
      } catch (error) {
        throw refusal(error);
      }
    },
    accessTokens: deps.accessTokens,
    refreshTokenTtlDays: deps.config.auth.refreshTokenTtlDays,
    refreshReuseGraceSeconds: deps.config.auth.refreshReuseGraceSeconds,
    loginLimiter: createLoginLimiter({
      ...deps.config.loginLimits,
      failuresPerAccountAndAddress: deps.config.limits.loginFailuresPerAccountAndAddress,
      redis: deps.redis,
    }),
    passwordResetLimiter: {
      attempt: async (email, address) => {
        try {
          await Promise.all([resetsByAddress.consume(boundedKey(address ?? 'unknown')), resetsByEmail.consume(boundedKey(email))]);
        } catch (error) {
          throw refusal(error);
        }
      },
    },
    passwordResetTtlMs: deps.config.passwordReset.ttlMs,
    // Generations in Redis when there is one, so that a write on one instance counts on all of them.
    viewerCache: createViewerCache({
      generations: deps.redis ? createRedisGenerations(deps.redis) : createInProcessGenerations(),
      logger: deps.logger.child({ component: 'viewer-cache' }),
    }),
  };
}
