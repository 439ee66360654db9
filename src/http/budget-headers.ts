import type { RequestHandler } from 'express';
import type { BudgetClient, QueryBudget } from '../graphql/cost/query-budget';
import { rateLimitHeaders } from '../graphql/cost/operation-admission';
import { bearerToken, type AccessTokens } from '../modules/accounts/access-token';

/**
 * `RateLimit-Policy` and `RateLimit` on every answer of `/graphql` (the contract's promise), also on those refused
 * before GraphQL runs: a malformed or oversized body, a batch, a CSRF refusal, a preflight. The budget plugin sets
 * them on every answer that reaches Apollo's plugins; for the others, the bucket as it stands (nothing taken) is read
 * just before the answer goes out. The client is the token's user when the token verifies, else the address.
 */
export function budgetHeadersOnEveryAnswer(budget: QueryBudget, accessTokens: AccessTokens): RequestHandler {
  return (req, res, next) => {
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (res.headersSent || res.getHeader('ratelimit')) return end(...args);
      void clientOf(req.headers.authorization, req.ip ?? null)
        .then((client) => budget.charge(client, 0))
        .then((charge) => {
          if (!res.headersSent) for (const [name, value] of Object.entries(rateLimitHeaders(charge, budget.restorePerSecond))) res.setHeader(name, value);
        })
        .catch(() => undefined)
        .finally(() => end(...args));
      return res;
    }) as typeof res.end;
    next();
  };

  async function clientOf(authorization: string | undefined, address: string | null): Promise<BudgetClient> {
    const token = bearerToken(authorization);
    const claims = token ? await accessTokens.verify(token) : null;
    return claims && typeof claims === 'object' ? { userId: claims.userId } : { address };
  }
}
