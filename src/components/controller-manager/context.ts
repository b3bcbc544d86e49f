/** What every controller of the controller manager is started with. */
import type { Clientset, EventRecorder, SharedInformerFactory } from '../../client/index.js';

export interface ControllerManagerOptions {
  /** Workers per controller (upstream's --concurrent-*-syncs; default 2). */
  workers?: number;
  /** Node lifecycle: how long a node may go without a Lease renewal before it is NotReady/Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Pod GC: terminated pods kept before the oldest are deleted (default 12500). */
  terminatedPodGcThreshold?: number;
  /** The clock controllers read (tests may move it); default Date.now. */
  now?: () => number;
}

export interface ControllerContext {
  cs: Clientset;
  informers: SharedInformerFactory;
  /** An event recorder reporting as `component` (`deployment-controller`, `job-controller`, …). */
  recorder(component: string): EventRecorder;
  /** Aborts when the controller manager stops (or loses leadership). */
  signal: AbortSignal;
  log(message: string): void;
  options: ControllerManagerOptions;
}

/** Starts one controller: registers informer handlers and runs its workers until ctx.signal aborts. */
export type ControllerStarter = (ctx: ControllerContext) => void | Promise<void>;
