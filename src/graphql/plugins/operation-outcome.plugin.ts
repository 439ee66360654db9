import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../../infra/metrics';
import type { SelectionNode } from 'graphql';
import type { RequestContext } from '../../modules/request-context';
import { operationLabel } from '../known-operations';

/**
 * Records each HTTP operation's name (once resolved, before it runs) and outcome (`ok` or the first error's code) for logs and metrics; counts
 * checkouts by outcome and RATE_LIMITED refusals.
 */
export function operationOutcomePlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        // Known before execution: a request whose client gives up while it runs is logged with its operation.
        async didResolveOperation({ contextValue, request, operationName }) {
          contextValue.operation.name = operationName ?? request.operationName ?? undefined;
        },
        async willSendResponse({ contextValue, request, operationName, operation, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const name = operationName ?? request.operationName ?? undefined;
          const outcome = errors?.length ? String(errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'ok';
          contextValue.operation.name = name;
          contextValue.operation.outcome = outcome;
          metrics.graphqlOperations.inc({ operation: operationLabel(name), transport: 'http', outcome });
          if (errors?.some((error) => error.extensions?.code === 'RATE_LIMITED')) metrics.rateLimitRefusals.inc({ transport: 'http' });
          // Counted by the root field, whatever the operation is named: clients name their operations freely.
          if (operation?.operation === 'mutation' && operation.selectionSet.selections.some(isCheckoutField)) metrics.checkouts.inc({ outcome });
        },
      };
    },
  };
}

const isCheckoutField = (selection: SelectionNode) => selection.kind === 'Field' && selection.name.value === 'checkout';
