import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { requestLog } from '../../../src/http/request-log';
import { createMetrics } from '../../../src/infra/metrics';
import { recordingLogger } from '../../utils/logs';
import { waitFor } from '../../utils/wait';

describe('the request log', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
  });

  it('should log a request whose client left before the answer, with its duration and operation', async () => {
    const { logger, lines } = recordingLogger();
    const app = express();
    app.use(requestLog(logger, createMetrics()));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    // An operation that never answers, as one stuck behind an exhausted pool.
    app.post('/graphql', (_req, res) => {
      res.locals.operation.name = 'Checkout';
      arrived();
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const client = request({ host: '127.0.0.1', port, method: 'POST', path: '/graphql', headers: { 'x-request-id': 'gave-up-1' } });
    client.on('error', () => undefined);
    client.end('{}');
    await requestArrived;
    client.destroy();

    await waitFor(() => lines.some((line) => line.outcome === 'aborted'), 5_000, 'the aborted request to be logged');
    const line = lines.find((each) => each.outcome === 'aborted')!;
    expect(line).toMatchObject({ requestId: 'gave-up-1', method: 'POST', path: '/graphql', operationName: 'Checkout', status: 499, msg: 'request aborted by the client before its answer' });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(lines.filter((each) => each.msg === 'request')).toEqual([]);
  });
});
