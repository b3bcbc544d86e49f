/**
 * `nodelifecycle`: marks nodes whose kubelet went silent Unknown, taints them, marks their
 * pods not ready, and lifts it all when they heartbeat again (controller.ts).
 */
import type { ControllerStarter } from '../context.js';
import { NodeLifecycleController } from './controller.js';

export { NODE_MONITOR_GRACE_PERIOD_MS, NODE_MONITOR_PERIOD_MS, NODE_STARTUP_GRACE_PERIOD_MS, NodeLifecycleController } from './controller.js';
export { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from './taints.js';

export const startNodeLifecycleController: ControllerStarter = (ctx) => {
  const controller = new NodeLifecycleController(ctx);
  void controller.run().catch((err: unknown) => {
    if (!ctx.signal.aborted) ctx.log(`nodelifecycle: ${String(err)}`);
  });
};
