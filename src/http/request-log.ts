import type { RequestHandler } from 'express';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { OperationRecord } from '../modules/request-context';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';

declare module 'express-serve-static-core' {
  interface Request {
    /** From `X-Request-Id`, or generated; returned in the response's `X-Request-Id`. */
    id: string;
  }
  interface Locals {
    /** What GraphQL learnt of the operation, for this request's log line. */
    operation: OperationRecord;
  }
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Gives every request its id, and writes one JSON line per request when the response is done: request id,
 * method, path, status, duration, and for GraphQL the operation name and outcome. Probes are not logged. A request
 * whose client left before the answer is logged too, at warn level, with status 499 and outcome `aborted`.
 */
export function requestLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: by `finish`, a router mounted on `/graphql` has cut its mount path off `req.path` (it reads `/`).
    const path = req.path;
    const route = path === '/graphql' ? '/graphql' : QUIET_PATHS.has(path) ? path : 'other';
    req.id = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, req.id);
    res.locals.operation = {};
    const fields = (seconds: number) => ({
      requestId: req.id,
      method: req.method,
      path,
      durationMs: Math.round(seconds * 100_000) / 100,
      operationName: res.locals.operation.name,
    });
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe({ route, method: req.method, status: String(res.statusCode) }, seconds);
      if (QUIET_PATHS.has(path)) return;
      logger.info(
        {
          ...fields(seconds),
          status: res.statusCode,
          outcome: res.locals.operation.outcome ?? (res.statusCode < 400 ? 'ok' : `http_${res.statusCode}`),
        },
        'request',
      );
    });
    // The client went away before the answer was sent (it gave up, a proxy timed out): no 'finish' comes, and
    // without this line a request that waited too long would leave no trace at all. 499 as nginx logs it.
    res.on('close', () => {
      if (res.writableFinished) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe({ route, method: req.method, status: '499' }, seconds);
      logger.warn({ ...fields(seconds), status: 499, outcome: 'aborted' }, 'request aborted by the client before its answer');
    });
    next();
  };
}
