import type { ErrorRequestHandler } from 'express';
import { ErrorCode } from '../shared/errors';

/**
 * Express's JSON parser answers malformed or oversized bodies with an HTML page; GraphQL clients get a
 * GraphQL error in JSON instead. Status follows GraphQL over HTTP: a body that is not JSON is no GraphQL
 * request at all, so it gets 400 whatever the client accepts (graphql-http audits BCF8, B7N8; the "200 for
 * `application/json`" rule is only for well-formed requests); a body over the limit gets 413.
 */
export const bodyErrorHandler: ErrorRequestHandler = (error, req, res, next) => {
  const type = (error as { type?: string }).type;
  if (type !== 'entity.parse.failed' && type !== 'entity.too.large' && type !== 'encoding.unsupported' && type !== 'charset.unsupported') {
    next(error);
    return;
  }
  const tooLarge = type === 'entity.too.large';
  const prefersGraphqlResponse = (req.headers.accept ?? '').includes('application/graphql-response+json');
  const status = tooLarge ? 413 : 400;
  res
    .status(status)
    .type(prefersGraphqlResponse ? 'application/graphql-response+json' : 'application/json')
    .json({
      errors: [
        tooLarge
          ? { message: `Request body is larger than ${(error as { limit?: number }).limit ?? 'the limit'} bytes`, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } }
          : { message: 'Request body is not valid JSON', extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'body', fields: [{ field: 'body', message: 'Request body is not valid JSON' }] } },
      ],
    });
};
