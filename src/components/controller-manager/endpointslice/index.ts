/** Starts the endpointslice controller on the controller manager's informers. */
import type { ControllerStarter } from '../context.js';
import { EndpointSliceController } from './controller.js';

export const startEndpointSliceController: ControllerStarter = (ctx) => {
  // upstream's --concurrent-service-endpoint-syncs defaults to 5
  void new EndpointSliceController(ctx).run(ctx.options.workers ?? 5).catch((err) => {
    if (!ctx.signal.aborted) ctx.log(`endpointslice controller: ${String(err)}`);
  });
};
