import { keyRotationService } from './key-rotation';
import { retentionCron, retentionTasks } from './retention.jobs';
import { defineModule } from '../../shared/module-manifest';

/** Personal data: the retention purges, and the re-sealing under a new key that `npm run rotate-keys` runs. */
export const privacyModule = defineModule({
  name: 'privacy',
  jobs: { tasks: retentionTasks, cron: retentionCron },
  services: () => ({ keyRotationService }),
});
