/** The `replicaset` and `replicationcontroller` controllers: one replica controller per kind. */
import type { ControllerStarter } from '../context.js';
import { ReplicaController } from './controller.js';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from './kinds.js';

/** Starts the ReplicaSet controller (runs until the context's signal aborts). */
export const startReplicaSetController: ControllerStarter = (ctx) => {
  void new ReplicaController(ctx, REPLICA_SET_KIND).run().catch((err: unknown) => {
    if (!ctx.signal.aborted) ctx.log(`controller stopped: ${String(err)}`);
  });
};

/** Starts the ReplicationController controller (runs until the context's signal aborts). */
export const startReplicationController: ControllerStarter = (ctx) => {
  void new ReplicaController(ctx, REPLICATION_CONTROLLER_KIND).run().catch((err: unknown) => {
    if (!ctx.signal.aborted) ctx.log(`controller stopped: ${String(err)}`);
  });
};
