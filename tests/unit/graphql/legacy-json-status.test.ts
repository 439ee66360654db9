import { describe, expect, it } from '@jest/globals';
import { negotiateResponseType } from '../../../src/graphql/plugins/legacy-json-status.plugin';

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

describe('negotiateResponseType', () => {
  it.each([
    [undefined, JSON_TYPE],
    ['', JSON_TYPE],
    ['*/*', JSON_TYPE],
    ['application/*', JSON_TYPE],
    ['application/json', JSON_TYPE],
    ['application/json; charset=utf-8', JSON_TYPE],
    ['application/graphql-response+json', GRAPHQL_RESPONSE],
    // Equal quality and specificity: the client's order decides.
    ['application/graphql-response+json, application/json', GRAPHQL_RESPONSE],
    ['application/json, application/graphql-response+json', JSON_TYPE],
    // Apollo Client's header.
    ['application/graphql-response+json,application/json;q=0.9', GRAPHQL_RESPONSE],
    ['application/json;q=1, application/graphql-response+json;q=0.5', JSON_TYPE],
    // A named type beats a wildcard of the same quality.
    ['*/*, application/graphql-response+json', GRAPHQL_RESPONSE],
    ['application/json;q=0, */*', GRAPHQL_RESPONSE],
    ['text/html', undefined],
    ['application/graphql-response+json;q=0', undefined],
  ])('should answer %j with %s', (accept, expected) => {
    expect(negotiateResponseType(accept)).toBe(expected);
  });
});
