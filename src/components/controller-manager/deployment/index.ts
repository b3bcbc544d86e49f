/** The `deployment` controller. */
import type { ControllerStarter } from '../context.js';
import { DeploymentController } from './controller.js';

/** Starts the Deployment controller (runs until the context's signal aborts). */
export const startDeploymentController: ControllerStarter = (ctx) => {
  void new DeploymentController(ctx).run().catch((err: unknown) => {
    if (!ctx.signal.aborted) ctx.log(`controller stopped: ${String(err)}`);
  });
};
