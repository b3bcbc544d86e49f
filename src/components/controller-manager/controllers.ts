/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startDeploymentController } from './deployment/index.js';
import { startReplicaSetController, startReplicationController } from './replicaset/index.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startStatefulSetController } from './statefulset/controller.js';
import { startCronJobController } from './cronjob/index.js';
import { startJobController } from './job/index.js';
import { startTtlAfterFinishedController } from './ttl-after-finished/index.js';
import { startNodeLifecycleController } from './nodelifecycle/index.js';
import { startPodGCController } from './podgc/index.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  deployment: startDeploymentController,
  replicaset: startReplicaSetController,
  replicationcontroller: startReplicationController,
  statefulset: startStatefulSetController,
  daemonset: startDaemonSetController,
  job: startJobController,
  cronjob: startCronJobController,
  'ttl-after-finished': startTtlAfterFinishedController,
  nodelifecycle: startNodeLifecycleController,
  podgc: startPodGCController,
};
