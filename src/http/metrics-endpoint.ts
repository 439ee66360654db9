import { createServer, type Server } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Metrics } from '../infra/metrics';

/**
 * `GET /metrics` in Prometheus's text format. With `token`, only for `Authorization: Bearer <token>` (401
 * otherwise, compared in constant time): the numbers tell an attacker how the server is doing and what it serves.
 */
export function metricsHandler(metrics: Metrics, token: string | null): RequestHandler {
  const expected = token ? digest(`Bearer ${token}`) : null;
  return async (req, res) => {
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.status(401).set('www-authenticate', 'Bearer').type('text/plain').send('Unauthorized\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A server of its own for `/metrics` (`METRICS_PORT`), reachable where the API's port is not (a private network). */
export function createMetricsServer(handler: RequestHandler): Server {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', handler);
  return createServer(app);
}
