/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startNodeLifecycleController } from './nodelifecycle/index.js';
import { startPodGCController } from './podgc/index.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  nodelifecycle: startNodeLifecycleController,
  podgc: startPodGCController,
};
