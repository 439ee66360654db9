import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from '../../../src/infra/db/orm';
import { z } from 'zod';
import { defineJob, startJobRunner, type JobRunner } from '../../../src/infra/jobs';
import { createLogger, type Logger } from '../../../src/infra/logger';
import { runSql } from '../../../src/shared/sql';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { openIdleConnection } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';
import { moduleEntities } from '../../../src/modules/index';

/** A debug-level logger whose JSON lines the test reads, raw and parsed. */
function capturedLogger(): { logger: Logger; raw: () => string; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = createLogger('debug', new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString()), done()) }));
  const raw = () => chunks.join('');
  return { logger, raw, lines: () => raw().trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('operational logs', () => {
  describe('of WebSockets', () => {
    const captured = capturedLogger();
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({}, undefined, { logger: captured.logger });
    }, 60_000);
    afterAll(async () => {
      await server?.close();
    });

    it('should log connects, refusals with their reason but never the token, and closes with their code, at info', async () => {
      const anonymous = openIdleConnection(server.wsUrl, undefined);
      await anonymous.connected;
      const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.forged-signature-that-must-not-be-logged';
      const refused = openIdleConnection(server.wsUrl, forged);
      expect(await refused.closed).toBe(4401);
      await anonymous.dispose();
      await waitFor(() => captured.lines().filter((line) => line.msg === 'websocket closed').length >= 2, 10_000, 'both closes logged');

      const lines = captured.lines().filter((line) => String(line.msg).startsWith('websocket '));
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'info', msg: 'websocket connected', userId: null }),
          expect.objectContaining({ level: 'info', msg: 'websocket refused', reason: 'TOKEN_INVALID' }),
          expect.objectContaining({ level: 'info', msg: 'websocket closed', code: 4401 }),
          expect.objectContaining({ level: 'info', msg: 'websocket closed', code: 1000 }),
        ]),
      );
      expect(captured.raw()).not.toContain('forged-signature');
    });
  });

  describe('of jobs', () => {
    const captured = capturedLogger();
    const probePayload = z.object({ recipient: z.email(), address: z.string() });
    const okProbe = defineJob({ name: 'log_probe_ok', payload: probePayload });
    const failingProbe = defineJob({ name: 'log_probe_fail', payload: probePayload });
    let db: TestDatabase;
    let orm: MikroORM;
    let runner: JobRunner;

    beforeAll(async () => {
      db = await createTestDatabase();
      orm = await openDatabase({ url: db.url, entities: moduleEntities, logger: createLogger('silent') });
      runner = await startJobRunner({
        databaseUrl: db.url,
        concurrency: 1,
        logger: captured.logger,
        heartbeatMs: 5_000,
        pollIntervalMs: 100,
        tasks: {
          ...okProbe.task(async () => undefined),
          ...failingProbe.task(async () => {
            throw new Error('the probe failed');
          }),
        },
      });
    }, 60_000);
    afterAll(async () => {
      await runner?.stop();
      await orm?.close();
      await db?.drop();
    });

    it('should log starts and ends at debug with task and job id, a failure at warn when retried and at error for good, with the error and never the payload', async () => {
      const payload = { recipient: 'payload-marker@example.com', address: 'payload-marker street' };
      await okProbe.schedule(orm.em.fork(), payload);
      await failingProbe.schedule(orm.em.fork(), payload, { maxAttempts: 2 });
      await failingProbe.schedule(orm.em.fork(), payload, { maxAttempts: 1, jobKey: 'fails-for-good' });
      await waitFor(
        () => captured.lines().some((line) => line.msg === 'job succeeded') && captured.lines().some((line) => line.level === 'warn') && captured.lines().some((line) => line.level === 'error'),
        20_000,
        'a success, a retried failure and a final one',
      );

      const lines = captured.lines();
      const started = lines.filter((line) => line.msg === 'job started');
      expect(started.length).toBeGreaterThanOrEqual(3);
      expect(started.every((line) => line.level === 'debug' && typeof line.jobId === 'string' && String(line.task).startsWith('log_probe_'))).toBe(true);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'debug', msg: 'job succeeded', task: 'log_probe_ok', jobId: expect.any(String) }),
          expect.objectContaining({ level: 'warn', msg: 'job failed; it will be retried', task: 'log_probe_fail', attempts: 1, maxAttempts: 2, err: expect.objectContaining({ message: 'the probe failed' }) }),
          expect.objectContaining({ level: 'error', msg: 'job failed for good: it stays in graphile_worker.jobs', task: 'log_probe_fail', err: expect.objectContaining({ message: 'the probe failed' }) }),
        ]),
      );
      // Nothing of any job at info or below names its payload, nor does any failure.
      expect(captured.raw()).not.toContain('payload-marker');
    });

    it('should log a malformed payload at error with the job id, its task and the faulty fields, never their values, and never run it again', async () => {
      // A payload no schedule() would write: an older release's, or one added by hand. 25 attempts by default.
      const [added] = await runSql<{ id: string }>(
        orm.em.fork(),
        `select id from graphile_worker.add_job('log_probe_ok', json_build_object('recipient', 'malformed-marker', 'address', 42))`,
      );
      const jobId = String(added!.id);
      await waitFor(() => captured.lines().some((line) => line.jobId === jobId && line.level === 'error'), 20_000, 'the malformed payload logged');

      expect(captured.lines().filter((line) => line.jobId === jobId && line.level === 'error')).toEqual([
        expect.objectContaining({
          msg: 'job payload malformed: failed for good, never retried; it stays in graphile_worker.jobs',
          task: 'log_probe_ok',
          problems: ['recipient: invalid_format', 'address: invalid_type'],
        }),
      ]);
      expect(captured.lines().some((line) => line.jobId === jobId && line.msg === 'job failed; it will be retried')).toBe(false);
      expect(captured.raw()).not.toContain('malformed-marker');
      const [job] = await runSql<{ attempts: number; max_attempts: number; locked_at: string | null }>(
        orm.em.fork(),
        'select attempts, max_attempts, locked_at from graphile_worker.jobs where id = ?',
        [jobId],
      );
      expect(job).toEqual({ attempts: 1, max_attempts: 1, locked_at: null });
    });
  });
});
