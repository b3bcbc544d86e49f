/** Starts the endpoints controller on the controller manager's informers. */
import type { ControllerStarter } from '../context.js';
import { EndpointsController } from './controller.js';

export const startEndpointsController: ControllerStarter = (ctx) => {
  // upstream's --concurrent-service-endpoint-syncs defaults to 5
  void new EndpointsController(ctx).run(ctx.options.workers ?? 5).catch((err) => {
    if (!ctx.signal.aborted) ctx.log(`endpoints controller: ${String(err)}`);
  });
};
