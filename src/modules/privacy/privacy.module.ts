import { retentionCron, retentionTasks } from './retention.jobs';
import { defineModule } from '../../shared/module-manifest';

/** Personal data: the retention purges (key rotation is an operator script). */
export const privacyModule = defineModule({
  name: 'privacy',
  jobs: { tasks: retentionTasks, cron: retentionCron },
});
