/**
 * The node half of a simulated kubelet: registers the Node (or takes over one of the same
 * name left by an earlier run), keeps its Lease in kube-node-lease (holderIdentity the
 * node's name, leaseDurationSeconds, renewTime renewed every heartbeat, owned by the Node so
 * it goes with it), and posts the Node's status when it differs from a healthy kubelet's
 * (after the node lifecycle controller marked it Unknown, say) or when the report interval
 * has passed.
 */
import type { Lease } from '../../../gen/k8s/io/api/coordination/v1/generated.js';
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import { isAlreadyExists, isConflict, isNotFound, toMicroTime, type Clientset } from '../../client/index.js';
import { conditionsHealthy, newNode, nodeStatus, type NodeIdentity } from './node-object.js';
import type { ResolvedSimulatedNodesOptions } from './options.js';

/** The namespace of node Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeAgent {
  private node: Node | undefined;
  private lease: Lease | undefined;
  private lastStatusPost = 0;

  constructor(
    private readonly cs: Clientset,
    readonly id: NodeIdentity,
    private readonly options: ResolvedSimulatedNodesOptions,
  ) {}

  /** The Node as last written or read. */
  get current(): Node | undefined {
    return this.node;
  }

  /** Creates the Node, or adopts an existing one of the same name (its labels merged, its status posted). */
  async register(signal: AbortSignal): Promise<void> {
    const now = new Date();
    const fresh = newNode(this.id, this.options, now);
    try {
      this.node = await this.cs.coreV1.nodes.create(fresh, { signal });
      this.options.log(`simulated node ${this.id.name} registered`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.cs.coreV1.nodes.get(this.id.name, { signal });
      const labels = { ...(existing.metadata?.labels ?? {}), ...(fresh.metadata?.labels ?? {}) };
      this.node = await this.cs.coreV1.nodes.update({ ...existing, metadata: { ...existing.metadata, labels } }, { signal });
      await this.postStatus(signal, now);
      this.options.log(`simulated node ${this.id.name} re-registered`);
    }
    this.lastStatusPost = now.getTime();
    await this.renewLease(signal);
  }

  /** One heartbeat: the Lease renewed, and the Node's status posted if due. Errors are the caller's to report. */
  async heartbeat(signal: AbortSignal): Promise<void> {
    await this.renewLease(signal);
    await this.syncStatus(signal);
  }

  /** Posts the Node status when the stored one is not a healthy kubelet's, or the report interval passed. */
  async syncStatus(signal: AbortSignal): Promise<void> {
    const now = new Date();
    const stored = await this.cs.coreV1.nodes.get(this.id.name, { signal });
    this.node = stored;
    const due = now.getTime() - this.lastStatusPost >= this.options.nodeStatusReportMs;
    if (!due && conditionsHealthy(stored.status?.conditions ?? [])) return;
    await this.postStatus(signal, now);
  }

  private async postStatus(signal: AbortSignal, now: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const stored = attempt === 0 && this.node ? this.node : await this.cs.coreV1.nodes.get(this.id.name, { signal });
      try {
        this.node = await this.cs.coreV1.nodes.updateStatus({ ...stored, status: nodeStatus(this.id, this.options, stored.status, now) }, { signal });
        this.lastStatusPost = now.getTime();
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  /** Renews (or creates) the node's Lease with renewTime now. */
  async renewLease(signal: AbortSignal): Promise<void> {
    const leases = this.cs.coordinationV1.leases;
    for (let attempt = 0; ; attempt++) {
      const now = new Date();
      try {
        if (!this.lease) {
          this.lease = await leases.get(this.id.name, { namespace: NODE_LEASE_NAMESPACE, signal }).catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          });
        }
        const spec = { holderIdentity: this.id.name, leaseDurationSeconds: this.options.leaseDurationSeconds, renewTime: toMicroTime(now) };
        if (!this.lease) {
          this.lease = await leases.create(
            {
              metadata: { name: this.id.name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: this.ownerReferences() },
              spec,
            },
            { signal },
          );
        } else {
          const metadata = this.lease.metadata;
          const ownerReferences = metadata?.ownerReferences?.length ? metadata.ownerReferences : this.ownerReferences();
          this.lease = await leases.update({ ...this.lease, metadata: { ...metadata, ownerReferences }, spec: { ...this.lease.spec, ...spec } }, { signal });
        }
        return;
      } catch (err) {
        // Someone else wrote the Lease (or removed it): read it afresh and try again.
        this.lease = undefined;
        if (!(isConflict(err) || isNotFound(err) || isAlreadyExists(err)) || attempt >= 4) throw err;
      }
    }
  }

  private ownerReferences(): Array<{ apiVersion: string; kind: string; name: string; uid: string }> {
    const uid = this.node?.metadata?.uid;
    return uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.id.name, uid }] : [];
  }
}
