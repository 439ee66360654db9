import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import pino from 'pino';
import { createWorkerLiveness, MISSED_HEARTBEATS, recoverDeadWorkers } from '../../src/infra/job-worker-liveness';
import { createTestDatabase, type TestDatabase } from '../utils/database';
import { spawnChild, type ChildServer } from '../utils/processes';
import { startTestServer } from '../utils/test-server';
import { passTime, waitFor } from '../utils/wait';

/** The children's heartbeat: dead after 3 × 200 ms without one. */
const HEARTBEAT_MS = 200;
const STALE_MS = MISSED_HEARTBEATS * HEARTBEAT_MS;

interface ProbeEvent {
  attempt: number;
  pid: number;
  event: 'started' | 'completed';
}

/** Opens a connection to `database` that the test closes itself. */
async function connect(database: { url: string }): Promise<Client> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  return client;
}

/** Adds a job the way `add_job` always does; answers its id. */
async function addJob(client: Client, task: string, payload: Record<string, unknown>): Promise<string> {
  const { rows } = await client.query<{ id: string }>('select (graphile_worker.add_job($1::text, $2::json)).id', [task, JSON.stringify(payload)]);
  return rows[0]!.id;
}

async function lockOf(client: Client, jobId: string): Promise<{ locked_by: string | null; attempts: number } | undefined> {
  const { rows } = await client.query<{ locked_by: string | null; attempts: number }>('select locked_by, attempts from graphile_worker.jobs where id = $1', [jobId]);
  return rows[0];
}

describe('a job whose worker process dies mid-run', () => {
  let database: TestDatabase;
  let client: Client;
  /** The children of the running test: killed after it, whatever happened, so that each test knows who runs its job. */
  const children: ChildServer[] = [];
  const killChildren = () => Promise.all(children.splice(0).map((child) => child.crash()));

  beforeAll(async () => {
    database = await createTestDatabase();
    client = await connect(database);
    await client.query(`create table crash_probe_event (id serial primary key, job_id bigint not null, attempt int not null, pid int not null, event text not null)`);
    await client.query(`create table crash_probe_release (job_id bigint primary key)`);
  });
  afterEach(killChildren);
  afterAll(async () => {
    await killChildren();
    await client?.end();
    await database?.drop();
  });

  async function startWorkerProcess(): Promise<ChildServer> {
    const child = await spawnChild(
      'tests/fixtures/crash-probe-worker.js',
      { DATABASE_URL: database.url, WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
      { http: false, readyText: 'crash-probe-worker ready', readyTimeoutMs: 15_000 },
    );
    children.push(child);
    return child;
  }

  const eventsOf = async (jobId: string) =>
    (await client.query<ProbeEvent>('select attempt, pid, event from crash_probe_event where job_id = $1 order by id', [jobId])).rows;
  const heartbeatsOf = async (pid: number) =>
    (await client.query<{ worker_id: string }>('select worker_id from job_worker_heartbeat where pid = $1', [pid])).rows.map((row) => row.worker_id);

  it('should run the job again in a second process within seconds once the first one was killed with SIGKILL, and complete it once', async () => {
    const first = await startWorkerProcess();
    const jobId = await addJob(client, 'crash_probe', { mode: 'hang-first-attempt' });
    await waitFor(async () => (await eventsOf(jobId)).length === 1, 10_000, 'the first process to start the job');
    // The lock holder is the id the runner heartbeats for: the assumption recovery rests on (graphile-worker 0.17).
    const lock = await lockOf(client, jobId);
    expect(await heartbeatsOf(first.pid)).toEqual([lock?.locked_by]);

    await first.crash();
    const killedAt = Date.now();
    const second = await startWorkerProcess();
    await waitFor(async () => (await eventsOf(jobId)).some((event) => event.event === 'completed'), 10_000, 'the second process to complete the job');
    // Three missed heartbeats, one round, graphile-worker's poll (1 s), and the start of a Node process.
    expect(Date.now() - killedAt).toBeLessThan(8_000);

    expect(await eventsOf(jobId)).toEqual([
      { attempt: 1, pid: first.pid, event: 'started' },
      { attempt: 2, pid: second.pid, event: 'started' },
      { attempt: 2, pid: second.pid, event: 'completed' },
    ]);
    await waitFor(async () => (await lockOf(client, jobId)) === undefined, 5_000, 'the completed job to leave the queue');
    // The dead process's heartbeat went with it; the live one's stays.
    expect(await heartbeatsOf(first.pid)).toEqual([]);
    expect(await heartbeatsOf(second.pid)).toHaveLength(1);
  }, 40_000);

  it('should leave a long job locked by its live worker while its heartbeat is fresh, whatever other processes recover', async () => {
    const owner = await startWorkerProcess();
    const jobId = await addJob(client, 'crash_probe', { mode: 'wait-for-release' });
    await waitFor(async () => (await eventsOf(jobId)).length === 1, 10_000, 'the process to start the job');
    const [lockedBy] = await heartbeatsOf(owner.pid);
    // Another process, whose recovery runs every 200 ms, for five stale thresholds.
    await startWorkerProcess();
    await passTime(5 * STALE_MS, 'five stale thresholds, in which a recovery that took a live job would have taken it');

    expect(await lockOf(client, jobId)).toEqual({ locked_by: lockedBy, attempts: 1 });
    expect(await eventsOf(jobId)).toEqual([{ attempt: 1, pid: owner.pid, event: 'started' }]);

    await client.query('insert into crash_probe_release (job_id) values ($1)', [jobId]);
    await waitFor(async () => (await lockOf(client, jobId)) === undefined, 5_000, 'the job to complete');
    expect(await eventsOf(jobId)).toEqual([
      { attempt: 1, pid: owner.pid, event: 'started' },
      { attempt: 1, pid: owner.pid, event: 'completed' },
    ]);
  }, 40_000);

  it('should keep beating while a graceful stop waits for the running job, then delete its heartbeat', async () => {
    const worker = await startWorkerProcess();
    const jobId = await addJob(client, 'crash_probe', { mode: 'wait-for-release' });
    await waitFor(async () => (await eventsOf(jobId)).length === 1, 10_000, 'the process to start the job');
    const stopped = worker.stop(); // SIGTERM; SIGKILL only after 5 s
    await passTime(5 * STALE_MS, 'five stale thresholds, after which only a heartbeat that kept beating is fresh');

    const { rows: fresh } = await client.query<{ fresh: boolean }>(
      'select seen_at > now() - $2::int * interval \'1 millisecond\' as fresh from job_worker_heartbeat where pid = $1',
      [worker.pid, STALE_MS],
    );
    expect(fresh).toEqual([{ fresh: true }]);
    expect(await lockOf(client, jobId)).toMatchObject({ attempts: 1, locked_by: expect.any(String) });

    await client.query('insert into crash_probe_release (job_id) values ($1)', [jobId]);
    await stopped;
    expect(worker.output()).not.toMatch(/"level":"(error|fatal)"/);
    expect(await eventsOf(jobId)).toEqual([
      { attempt: 1, pid: worker.pid, event: 'started' },
      { attempt: 1, pid: worker.pid, event: 'completed' },
    ]);
    expect(await lockOf(client, jobId)).toBeUndefined();
    expect(await heartbeatsOf(worker.pid)).toEqual([]);
  }, 20_000);
});

describe('deciding that a lock holder is dead', () => {
  let database: TestDatabase;
  let client: Client;
  const GRACE_MS = 1_000;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = await connect(database);
  });
  afterEach(async () => {
    await client.query('delete from graphile_worker._private_jobs');
    await client.query('delete from job_worker_heartbeat');
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  /** A job locked by `holder`, `lockedMsAgo` ago by the database clock; no runner runs on this database. */
  async function lockedJob(holder: string, lockedMsAgo: number): Promise<string> {
    const id = await addJob(client, 'any_task', {});
    await client.query(`update graphile_worker._private_jobs set locked_by = $2, locked_at = now() - $3::int * interval '1 millisecond', attempts = 1 where id = $1`, [
      id,
      holder,
      lockedMsAgo,
    ]);
    return id;
  }
  async function heartbeat(holder: string, heartbeatMs: number, seenMsAgo: number): Promise<void> {
    await client.query(
      `insert into job_worker_heartbeat (worker_id, heartbeat_ms, seen_at, pid, host) values ($1, $2, now() - $3::int * interval '1 millisecond', 1, 'test')`,
      [holder, heartbeatMs, seenMsAgo],
    );
  }

  it('should not free the jobs of a holder without a heartbeat that locked one within the grace period, since its first heartbeat may not have landed yet', async () => {
    const old = await lockedJob('pool-starting', 5_000);
    const recent = await lockedJob('pool-starting', 100);
    expect(await recoverDeadWorkers(client, GRACE_MS)).toEqual([]);
    expect(await lockOf(client, old)).toMatchObject({ locked_by: 'pool-starting' });
    expect(await lockOf(client, recent)).toMatchObject({ locked_by: 'pool-starting' });
  });

  it('should free the jobs of a holder without a heartbeat once its latest lock is older than the grace period', async () => {
    const job = await lockedJob('pool-gone', 5_000);
    expect(await recoverDeadWorkers(client, GRACE_MS)).toEqual([{ workerId: 'pool-gone', jobIds: [job], seenAt: null, pid: null, host: null }]);
    expect(await lockOf(client, job)).toEqual({ locked_by: null, attempts: 1 });
  });

  it('should judge a heartbeat by its own interval, not by the grace period of the process that judges', async () => {
    // Beats every 10 s, last seen 5 s ago: alive, although 5 s is far beyond the judge's 1 s grace.
    const slow = await lockedJob('pool-slow', 60_000);
    await heartbeat('pool-slow', 10_000, 5_000);
    // Beats every 100 ms, last seen 400 ms ago: missed three, dead, although 400 ms is within the grace.
    const fast = await lockedJob('pool-fast', 60_000);
    await heartbeat('pool-fast', 100, 400);

    const [dead] = (await recoverDeadWorkers(client, GRACE_MS))!;
    expect(dead).toMatchObject({ workerId: 'pool-fast', jobIds: [fast], pid: 1, host: 'test' });
    expect(dead!.seenAt).toBeInstanceOf(Date);
    expect(await lockOf(client, slow)).toMatchObject({ locked_by: 'pool-slow' });
    expect(await lockOf(client, fast)).toMatchObject({ locked_by: null });
    const { rows } = await client.query<{ worker_id: string }>('select worker_id from job_worker_heartbeat');
    expect(rows).toEqual([{ worker_id: 'pool-slow' }]);
  });

  it('should free each dead holder once when several processes recover at the same moment', async () => {
    const jobIds = [await lockedJob('pool-crashed', 5_000), await lockedJob('pool-crashed', 4_000)];
    const others = await Promise.all([connect(database), connect(database), connect(database)]);
    try {
      const rounds = await Promise.all([client, ...others].map((each) => recoverDeadWorkers(each, GRACE_MS)));
      const freed = rounds.flatMap((round) => round ?? []);
      expect(freed).toEqual([{ workerId: 'pool-crashed', jobIds, seenAt: null, pid: null, host: null }]);
    } finally {
      await Promise.all(others.map((other) => other.end()));
    }
    const { rows } = await client.query('select id from graphile_worker.jobs where locked_by is not null');
    expect(rows).toEqual([]);
  });

  it('should log an error in a process whose heartbeat was deleted as stale, since a job it was running may run twice', async () => {
    const lines: string[] = [];
    const liveness = createWorkerLiveness({
      withPgClient: (callback) => callback(client),
      heartbeatMs: 100,
      logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
    });
    liveness.add('pool-stalled');
    await liveness.start();
    try {
      expect(lines).toEqual([]);
      // What another process's recovery does to the row of a process that stalled for three heartbeats.
      await client.query(`delete from job_worker_heartbeat where worker_id = 'pool-stalled'`);
      await waitFor(() => lines.some((line) => line.includes('taken for dead')), 2_000, 'the error');
      expect(JSON.parse(lines.find((line) => line.includes('taken for dead'))!)).toMatchObject({ level: 50, workerIds: ['pool-stalled'] });
    } finally {
      await liveness.stop();
    }
    const { rows } = await client.query('select worker_id from job_worker_heartbeat');
    expect(rows).toEqual([]);
  });
});

describe('the server\'s own workers', () => {
  it('should free the jobs of a dead worker process and count them in atelier_jobs_recovered_total', async () => {
    const server = await startTestServer({ WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    const client = await connect(server.database);
    try {
      // A job its process locked an hour ago, and then died without a heartbeat.
      const jobId = await addJob(client, 'a_task_of_another_release', {});
      await client.query(`update graphile_worker._private_jobs set locked_by = 'pool-dead', locked_at = now() - interval '1 hour', attempts = 1 where id = $1`, [jobId]);

      await waitFor(async () => (await lockOf(client, jobId))?.locked_by === null, 5_000, 'the server to free the job');
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^atelier_jobs_recovered_total 1$/m);
    } finally {
      await client.end();
      await server.close();
    }
  }, 20_000);
});
