/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startCronJobController } from './cronjob/index.js';
import { startJobController } from './job/index.js';
import { startTtlAfterFinishedController } from './ttl-after-finished/index.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  job: startJobController,
  cronjob: startCronJobController,
  'ttl-after-finished': startTtlAfterFinishedController,
};
