/** What every controller of the controller manager is started with. */
import type { Clientset, EventRecorder, SharedInformerFactory } from '../../client/index.js';

export interface ControllerManagerOptions {
  /** Workers per controller (upstream's --concurrent-*-syncs; default 2). */
  workers?: number;
  /** Node lifecycle: how long a node may go without a Lease renewal before it is NotReady/Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Node lifecycle: how often node health is checked (upstream's --node-monitor-period; default 5 s). */
  nodeMonitorPeriodMs?: number;
  /** Node lifecycle: how long a node that never posted status may go before it is Unknown (--node-startup-grace-period; default 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** Pod GC: terminated pods kept before the oldest are deleted (default 12500). */
  terminatedPodGcThreshold?: number;
  /** Pod GC: how often it collects (upstream's gcCheckPeriod; default 20 s). */
  podGcPeriodMs?: number;
  /** Pod GC: how long a node a pod names must stay missing before its pods count as orphaned (upstream's quarantineTime; default 40 s). */
  podGcQuarantineMs?: number;
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
