import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../../infra/metrics';
import type { RequestContext } from '../context';
import { operationLabel } from '../known-operations';

/** Records each HTTP operation's name and outcome (`ok` or the first error's code) for logs and metrics. */
export function operationOutcomePlugin(metrics: Metrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, request, operationName, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const name = operationName ?? request.operationName ?? undefined;
          const outcome = errors?.length ? String(errors[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'ok';
          contextValue.operation.name = name;
          contextValue.operation.outcome = outcome;
          metrics.graphqlOperations.inc({ operation: operationLabel(name), transport: 'http', outcome });
        },
      };
    },
  };
}
