/**
 * `podgc`: deletes terminated pods beyond the threshold, orphaned pods of deleted nodes, and
 * terminating pods no node will finish (controller.ts).
 */
import type { ControllerStarter } from '../context.js';
import { PodGCController } from './controller.js';

export { POD_GC_PERIOD_MS, POD_GC_QUARANTINE_MS, PodGCController, TAINT_OUT_OF_SERVICE, TERMINATED_POD_GC_THRESHOLD } from './controller.js';

export const startPodGCController: ControllerStarter = (ctx) => {
  const controller = new PodGCController(ctx);
  void controller.run().catch((err: unknown) => {
    if (!ctx.signal.aborted) ctx.log(`podgc: ${String(err)}`);
  });
};
