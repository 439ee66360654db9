import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../../modules/request-context';
import { ErrorCode } from '../../shared/errors';
import { budgetClientOf, costExtension, rateLimitHeaders, type OperationAdmission } from '../cost/operation-admission';
import type { BudgetCharge, QueryBudget } from '../cost/query-budget';

/**
 * The HTTP side of {@link OperationAdmission}: each operation is admitted (credential fields, cost, budget) once its
 * document is validated and before the public response cache or execution, so that a cached answer costs its query
 * as an executed one does. Every answer then carries `extensions.cost` and the `RateLimit-Policy`/`RateLimit`
 * headers; a refusal for the budget is HTTP 429 with `Retry-After`. Must come after the response cache in the
 * plugin list, so that `extensions.cost` is added after the cache stored the answer, never into it.
 */
export function queryBudgetPlugin(admit: OperationAdmission, budget: QueryBudget | null): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let charge: BudgetCharge | null = null;
      return {
        async didResolveOperation({ contextValue, document, operationName, request }) {
          const admission = await admit(contextValue, document, operationName, request.variables);
          charge = admission.charge;
          if (!admission.error) return;
          if (admission.error.code === ErrorCode.RATE_LIMITED && charge) {
            const headers = new HeaderMap([['retry-after', String(charge.retryAfterSeconds)]]);
            admission.error.extensions.http = { status: 429, headers };
          } else if (admission.error.extensions.http === undefined) {
            admission.error.extensions.http = { status: 400 };
          }
          throw admission.error;
        },
        async willSendResponse({ contextValue, response }) {
          if (!budget) return;
          // Refused before admission (a parse or validation error): the bucket as it stands, nothing taken.
          charge ??= await budget.charge(budgetClientOf(contextValue), 0).catch(() => null);
          if (!charge) return;
          for (const [name, value] of Object.entries(rateLimitHeaders(charge, budget.restorePerSecond))) response.http.headers.set(name, value);
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: costExtension(charge) };
        },
      };
    },
  };
}
