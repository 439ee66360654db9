import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../../infra/db/unavailable';
import { ErrorCode, ServiceUnavailableError } from '../../shared/errors';

/**
 * A response that carries a SERVICE_UNAVAILABLE error goes out as HTTP 503 with `Retry-After` (the largest
 * `retryAfterSeconds` of its errors), as the contract promises: proxies and clients that read only the status
 * learn to back off, and overload is never a 200 or a 500.
 */
export function serviceUnavailablePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const unavailable = (response.body.singleResult.errors ?? []).filter((error) => error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE);
          if (!unavailable.length) return;
          const retryAfter = Math.max(...unavailable.map((error) => Number(error.extensions?.retryAfterSeconds) || DATABASE_RETRY_AFTER_SECONDS));
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

/**
 * What a failure of the context factory (the viewer re-check reads PostgreSQL) becomes: Apollo answers a context
 * error with HTTP 500 and no plugin runs, unless it is a GraphQLError that names its own status.
 */
export function contextFailure(error: unknown): unknown {
  if (error instanceof GraphQLError || !isDatabaseUnavailable(error)) return error;
  const unavailable = new ServiceUnavailableError(DATABASE_RETRY_AFTER_SECONDS);
  unavailable.extensions.http = { status: 503, headers: new Map([['retry-after', String(DATABASE_RETRY_AFTER_SECONDS)]]) };
  return unavailable;
}
