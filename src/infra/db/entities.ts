import { JobWorkerHeartbeat } from '../job-worker-heartbeat.entity';

/**
 * The infrastructure's own entities. The modules' come from above (`moduleEntities` of `src/modules/index.ts`,
 * given to `openDatabase` by whoever opens it): the infrastructure imports no module. Discovery is explicit, never
 * by folder glob.
 */
export const infraEntities = [
  // The job queue's crash recovery.
  JobWorkerHeartbeat,
];
