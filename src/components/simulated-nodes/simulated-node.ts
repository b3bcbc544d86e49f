/**
 * One simulated node: its NodeAgent (Node, Lease, status) on a heartbeat timer, and its
 * PodWorker (the pods bound to it). `pause()` makes it a node whose kubelet died (no Lease
 * renewals, no status, pods left as they are); `resume()` brings the kubelet back, which
 * heartbeats at once and looks at its pods again.
 */
import type { Clientset } from '../../client/index.js';
import type { ContainerLogs } from './logs.js';
import { NodeAgent } from './node-agent.js';
import type { NodeIdentity } from './node-object.js';
import type { ResolvedSimulatedNodesOptions } from './options.js';
import { PodWorker } from './pod-worker.js';

export class SimulatedNode {
  readonly agent: NodeAgent;
  readonly pods: PodWorker;
  private paused = false;
  private wake: (() => void) | undefined;

  constructor(
    cs: Clientset,
    readonly id: NodeIdentity,
    private readonly options: ResolvedSimulatedNodesOptions,
    logs: ContainerLogs,
  ) {
    this.agent = new NodeAgent(cs, id, options);
    this.pods = new PodWorker(cs, id, options, logs);
  }

  get name(): string {
    return this.id.name;
  }

  /** Whether the node's kubelet is "dead". */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Registers the node and its Lease, and starts watching its pods; resolves once its pod cache is filled. */
  async start(signal: AbortSignal): Promise<void> {
    await this.agent.register(signal);
    await this.pods.start(signal);
    void this.heartbeatLoop(signal);
  }

  /** Stops heartbeats, status posts and pod work. */
  pause(): void {
    this.paused = true;
    this.pods.pause();
  }

  /** Starts them again: a heartbeat at once, every pod looked at. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pods.resume();
    this.wake?.();
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.nap(signal);
      if (signal.aborted) return;
      if (this.paused) continue;
      try {
        await this.agent.heartbeat(signal);
      } catch (err) {
        if (!signal.aborted) this.options.log(`simulated node ${this.id.name}: heartbeat: ${String(err)}`);
      }
    }
  }

  /** Waits one heartbeat interval, or less when `signal` aborts or `resume()` wakes it. */
  private nap(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.heartbeatMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
