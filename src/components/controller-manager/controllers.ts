/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startEndpointsController } from './endpoints/index.js';
import { startEndpointSliceController } from './endpointslice/index.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  endpoints: startEndpointsController,
  endpointslice: startEndpointSliceController,
};
