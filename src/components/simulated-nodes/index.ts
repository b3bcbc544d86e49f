/**
 * Simulated nodes, as kwok provides them for API-only clusters: `runSimulatedNodes(cs,
 * { count: 3 }, signal)` registers `node-1` … `node-3`, each a Node with capacity (cpu 4,
 * memory 16Gi, pods 110, ephemeral-storage 100Gi), Ready, heartbeating its Lease in
 * kube-node-lease, running the pods bound to it as a kubelet would (Pending → Running and
 * Ready; Job pods to Succeeded; graceful deletions finished), until `signal` aborts.
 *
 * Markers and knobs, for users and tests:
 * - every simulated Node carries the label `wheelhouse.dev/simulated-node: "true"`;
 * - annotation `wheelhouse.dev/simulated-exit-code: "1"` on a pod makes its containers exit
 *   with that code (a Job pod then fails); `wheelhouse.dev/simulated-run-ms: "5000"` sets how long
 *   a run-to-completion pod runs;
 * - `node(name).pause()` / `.resume()` stop and restart one node's kubelet (for node lifecycle tests);
 * - `logs.read(namespace, pod, container)` gives the lines each container "printed".
 *
 * It is built on the SDK only (wheelhouse/client), over gRPC; nothing of the server.
 */
import type { Clientset } from '../../client/index.js';
import { ContainerLogs } from './logs.js';
import { nodeIdentity } from './node-object.js';
import { resolveSimulatedNodesOptions, type SimulatedNodesOptions } from './options.js';
import { SimulatedNode } from './simulated-node.js';

export { MAX_SIMULATED_NODES, nodeInternalIP, nodePodCIDR } from './addresses.js';
export { ContainerLogs, type LogLine, type ReadLogOptions } from './logs.js';
export { KUBELET_PORT, SIMULATED_KUBELET_VERSION, SIMULATED_NODE_LABEL, SIMULATED_RUNTIME_VERSION } from './node-object.js';
export { NODE_LEASE_NAMESPACE } from './node-agent.js';
export type { SimulatedNodesOptions } from './options.js';
export { EXIT_CODE_ANNOTATION, RUN_MS_ANNOTATION } from './pod-worker.js';
export { SimulatedNode } from './simulated-node.js';

/** A running set of simulated nodes. */
export interface SimulatedNodes {
  /** The node names, in order. */
  readonly names: readonly string[];
  /** The node of that name. */
  node(name: string): SimulatedNode | undefined;
  /** What the nodes' containers printed. */
  readonly logs: ContainerLogs;
}

/**
 * Registers `count` simulated nodes and runs them until `signal` aborts. Resolves once every
 * node is registered, has its Lease, and watches its pods.
 */
export async function runSimulatedNodes(cs: Clientset, options: SimulatedNodesOptions, signal: AbortSignal): Promise<SimulatedNodes> {
  const resolved = resolveSimulatedNodesOptions(options);
  const logs = new ContainerLogs();
  const nodes = Array.from({ length: resolved.count }, (_, i) => new SimulatedNode(cs, nodeIdentity(resolved, i + 1), resolved, logs));
  await Promise.all(nodes.map((n) => n.start(signal)));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    names: nodes.map((n) => n.name),
    node: (name) => byName.get(name),
    logs,
  };
}
