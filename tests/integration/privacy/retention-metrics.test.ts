import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '../../../src/shared/ids';
import { runSql } from '../../../src/shared/sql';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/**
 * The retention purges as the server's own worker runs them (retention.test.ts runs their tasks by hand, with a
 * callback of its own): what a purge removes reaches `atelier_retention_rows_removed_total{job}` on /metrics.
 */
describe('Retention metrics', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const sql = <T>(text: string, params: unknown[] = []) => runSql<T>(server.database.orm.em.fork(), text, params);
  const removedByAuditPurge = async () => {
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    return /^atelier_retention_rows_removed_total\{job="audit_events"\} (\d+)$/m.exec(metrics)?.[1];
  };

  it("should count the rows a purge run by the server's worker removed, by job", async () => {
    expect(await removedByAuditPurge()).toBeUndefined();
    const audit = async (age: string) => {
      const id = newId();
      await sql(`insert into audit_event (id, type, details, created_at) values (?, 'SIGN_UP', '{}', now() - interval '${age}')`, [id]);
      return id;
    };
    const old = await audit('366 days');
    const recent = await audit('364 days');
    // What the hourly cron entry queues, queued now.
    await sql("select graphile_worker.add_job('retention_audit_events', '{}'::json)");

    await waitFor(async () => (await removedByAuditPurge()) !== undefined, 20_000, 'the purge to be counted');
    expect(await removedByAuditPurge()).toBe('1');
    const left = await sql<{ id: string }>('select id from audit_event where id = any(?::uuid[])', [[old, recent]]);
    expect(left).toEqual([{ id: recent }]);
  });
});
