import { randomUUID } from 'node:crypto';
import type { JobHelpers } from 'graphile-worker';

/** What graphile-worker hands a task that a test runs by hand: of its helpers, the tasks read only the job's id. */
export function byHand(jobId: string = randomUUID()): JobHelpers {
  return { job: { id: jobId } } as JobHelpers;
}
