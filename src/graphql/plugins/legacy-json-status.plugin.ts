import type { ApolloServerPlugin } from '@apollo/server';

const APPLICATION_JSON = 'application/json';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * GraphQL over HTTP: a response in the legacy `application/json` media type SHOULD have status 200 for every
 * well-formed request, whatever GraphQL errors it carries, because a client of that media type cannot tell a
 * GraphQL error from a proxy's 400 (`application/graphql-response+json` clients get 400, and do). Apollo answers
 * 400 to document parse, validation and variable-coercion errors whatever the client accepts (graphql-http
 * audits 572B, FDE2, 7B9B). Requests that are not well-formed (malformed JSON, no `query`) never reach a
 * plugin and keep their 400; so do other statuses (405 for a mutation over GET, 406).
 */
export function legacyJsonStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.body.kind !== 'single' || response.http.status !== 400) return;
          if (negotiateResponseType(request.http?.headers.get('accept')) !== APPLICATION_JSON) return;
          response.http.status = 200;
          // Pinned, so that the status and the media type sent can never disagree.
          response.http.headers.set('content-type', `${APPLICATION_JSON}; charset=utf-8`);
        },
      };
    },
  };
}

interface Preference {
  quality: number;
  /** 2 for `type/subtype`, 1 for `type/*`, 0 for `*\/*`. */
  specificity: number;
  order: number;
}

/**
 * The media type of a single result for this `Accept` header, chosen as Apollo does (through `negotiator`):
 * highest quality, then the most specific range, then the client's order; a tie, a missing header or a
 * wildcard gives `application/json`. `undefined` when the client accepts neither.
 */
export function negotiateResponseType(accept: string | undefined): string | undefined {
  if (!accept) return APPLICATION_JSON;
  const json = preferenceFor(accept, APPLICATION_JSON);
  const graphql = preferenceFor(accept, GRAPHQL_RESPONSE_JSON);
  if (!json) return graphql ? GRAPHQL_RESPONSE_JSON : undefined;
  if (!graphql) return APPLICATION_JSON;
  const graphqlWins =
    graphql.quality - json.quality || graphql.specificity - json.specificity || json.order - graphql.order;
  return graphqlWins > 0 ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON;
}

/** The most specific range of `accept` that matches `mediaType`, if its quality is above 0. */
function preferenceFor(accept: string, mediaType: string): Preference | undefined {
  const [type, subtype] = mediaType.split('/');
  let best: Preference | undefined;
  accept.split(',').forEach((part, order) => {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const [rangeType, rangeSubtype] = range.split('/');
    const specificity =
      rangeType === type && rangeSubtype === subtype ? 2 : rangeType === type && rangeSubtype === '*' ? 1 : range === '*/*' ? 0 : -1;
    if (specificity < 0) return;
    const q = params.find((param) => param.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    if (!best || specificity > best.specificity) best = { quality: Number.isFinite(quality) ? quality : 0, specificity, order };
  });
  return best && best.quality > 0 ? best : undefined;
}
