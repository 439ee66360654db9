import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Every GraphQL response over HTTP says `Cache-Control: no-store`: answers may be personal, and no field
 * declares a cache hint. Apollo's default cache-control plugin sent exactly this header, but to compute it
 * wrapped every field resolver of every operation (a policy object and a promise callback per field); we
 * turn that plugin off (`ApolloServerPluginCacheControlDisabled`) and keep its answer.
 */
export function noStorePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
