/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startDeploymentController } from './deployment/index.js';
import { startReplicaSetController, startReplicationController } from './replicaset/index.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startStatefulSetController } from './statefulset/controller.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  deployment: startDeploymentController,
  replicaset: startReplicaSetController,
  replicationcontroller: startReplicationController,
  statefulset: startStatefulSetController,
  daemonset: startDaemonSetController,
};
