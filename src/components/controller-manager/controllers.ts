/** The controllers the controller manager can run, by upstream's names (`--controllers`). */
import type { ControllerStarter } from './context.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startStatefulSetController } from './statefulset/controller.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  statefulset: startStatefulSetController,
  daemonset: startDaemonSetController,
};
