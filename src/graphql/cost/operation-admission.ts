import { Kind, OperationTypeNode, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { CREDENTIAL_FIELDS } from '../../modules/accounts/credential-fields';
import type { RequestContext } from '../../modules/request-context';
import { AppError, BadUserInputError, ErrorCode } from '../../shared/errors';
import type { BudgetCharge, BudgetClient, QueryBudget } from './query-budget';
import type { QueryCost } from './query-cost';

/** What `extensions.cost` of a result says. */
export interface CostExtension {
  requested: number;
  limit: number;
  remaining: number;
}

export interface Admission {
  /** The charge made (or, when the operation was refused before its cost was known, the bucket as it is). */
  charge: BudgetCharge | null;
  /** Set when the operation must not run: answer this error instead. */
  error?: AppError;
}

/**
 * Decides, before execution and on HTTP and WebSocket alike, whether an operation may run: at most one credential
 * field (BAD_USER_INPUT), its cost with its variables under `QUERY_MAX_COST` (QUERY_TOO_COMPLEX), then that cost
 * taken from the caller's budget (RATE_LIMITED). `budget` null: budgets are off, costs are still limited.
 */
export function createOperationAdmission(deps: { cost: QueryCost; budget: QueryBudget | null }) {
  return async function admit(
    ctx: RequestContext,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): Promise<Admission> {
    const client = budgetClientOf(ctx);
    const extraCredentialField = secondCredentialField(document, operationName);
    if (extraCredentialField) {
      return {
        charge: await deps.budget?.charge(client, 0) ?? null,
        error: new BadUserInputError(extraCredentialField, 'At most one log-in, sign-up, session refresh or password field per request'),
      };
    }
    const cost = deps.cost.check(document, operationName, variables);
    if (cost instanceof AppError) return { charge: await deps.budget?.charge(client, 0) ?? null, error: cost };
    if (!deps.budget) return { charge: null };
    const charge = await deps.budget.charge(client, cost);
    if (charge.allowed) return { charge };
    return {
      charge,
      error: new AppError(ErrorCode.RATE_LIMITED, `Query budget exhausted: this operation costs ${cost}, ${charge.remaining} left; retry in ${charge.retryAfterSeconds} s`, {
        retryAfterSeconds: charge.retryAfterSeconds,
        cost: costExtension(charge),
      }),
    };
  };
}

export type OperationAdmission = ReturnType<typeof createOperationAdmission>;

/** A signed-in caller's bucket is theirs wherever they connect from; an anonymous one is their address's. */
export function budgetClientOf(ctx: Pick<RequestContext, 'viewer' | 'clientAddress'>): BudgetClient {
  return ctx.viewer ? { userId: ctx.viewer.userId } : { address: ctx.clientAddress };
}

export function costExtension(charge: BudgetCharge): CostExtension {
  return { requested: charge.requested, limit: charge.limit, remaining: charge.remaining };
}

/**
 * The IETF httpapi draft's headers (draft-ietf-httpapi-ratelimit-headers): the policy (`q` points, refilled in
 * `w` seconds) and the state (`r` points remaining, full again in `t` seconds).
 */
export function rateLimitHeaders(charge: BudgetCharge, restorePerSecond: number): Record<string, string> {
  const windowSeconds = Math.ceil(charge.limit / restorePerSecond);
  return {
    'ratelimit-policy': `"query-cost";q=${charge.limit};w=${windowSeconds}`,
    ratelimit: `"query-cost";r=${charge.remaining};t=${charge.resetSeconds}`,
  };
}

/** The response name (alias or name) of the second credential field at the operation's root, if any. */
function secondCredentialField(document: DocumentNode, operationName: string | null | undefined): string | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== OperationTypeNode.MUTATION) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let seen = 0;
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode): string | undefined => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (CREDENTIAL_FIELDS.has(selection.name.value) && ++seen > 1) return selection.alias?.value ?? selection.name.value;
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = walk(selection.selectionSet);
        if (found) return found;
        continue;
      }
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      const found = walk(fragment.selectionSet);
      if (found) return found;
    }
    return undefined;
  };
  return walk(operation.selectionSet);
}
