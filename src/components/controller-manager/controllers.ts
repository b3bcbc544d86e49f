/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startDeploymentController } from './deployment/index.js';
import { startReplicaSetController, startReplicationController } from './replicaset/index.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  deployment: startDeploymentController,
  replicaset: startReplicaSetController,
  replicationcontroller: startReplicationController,
};
